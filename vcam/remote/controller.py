"""The controller of `vcam cam`: it stands in for the server's on this machine, for the console, MIDI and OSC, so
that a typo is caught here and MIDI soft takeover knows where each parameter stands on the server.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import NamedTuple

from vcam.bias import DEFAULT_BIAS
from vcam.control.commands import (READ_AS, TAKEN_ANYWHERE, USAGE, Command, CommandError, choices_asked,
                                   finite_number, joined_hint, keyed_names, name_typed, parse, preset_choices,
                                   preset_index, presets_named, setting_now)
from vcam.control.faders import PARAMS, StateTrail
from vcam.control.linesource import from_network
from vcam.control.offers import Offers
from vcam.control.presethints import PresetNames, preset_hint
from vcam.control.replies import Hint, Missing
from vcam.control.sources import TYPED, given_as
from vcam.inspec import DEFAULT_STRENGTH, input_help, parse_input
from vcam.remote.pending import Waiting
from vcam.words import width_folded

# help's lines as an OSC or MIDI sender at vcam cam reads them, away from the console: the sources `input` names are
# the server's, not those of the machine the sender's tablet steers (typed, help reads as on the server's console)
CAM_USAGE = {**USAGE,
             "input": "input SRC              restyle the server's none, camera[:N], file:PATH or image:PATH (in the "
                      "folders it shares), or net (vcam cam --send)"}


# What each of these keys of the server's state must hold to be mirrored: a value of another kind (a server of
# another version, a garbled message) is left out, the last one heard kept, where it ended the connection or failed
# every knob that read it.
_MIRRORED: dict[str, Callable[[object], bool]] = {
    **dict.fromkeys(("seed", "steps", "transition", "strength", "bias"), finite_number),
    **dict.fromkeys(("bpm", "beat"), lambda v: v is None or finite_number(v)),
    **dict.fromkeys(("screen", "input"), lambda v: isinstance(v, str)),
    "presets": lambda v: isinstance(v, list) and all(isinstance(name, str) for name in v),
    "preset": lambda v: v is None or isinstance(v, str),
    "preset_removed": lambda v: isinstance(v, bool),
    "blend": lambda v: v is None or isinstance(v, list) and len(v) == 3 and all(map(finite_number, v)),
    "blend_knob": lambda v: v is None or isinstance(v, list) and len(v) == 2 and all(isinstance(n, str) for n in v),
}


class ServerPreset(NamedTuple):
    """One of the server's presets, as a show's preset is read where only its name is asked (offers.Presets)."""

    name: str


class ServerPresets:
    """The server's presets by the names it sends, found as a show finds its own (midileds.Presets, offers.Presets:
    `presets` in order, as a show holds them)."""

    def __init__(self, names: list[str]):
        self.names = names
        self.presets = tuple(ServerPreset(name) for name in names)
        self._keyed = keyed_names(names)

    def find(self, ref: str | int) -> int:
        """The index of a preset by 1-based number or name (case-insensitive); KeyError where the server has none."""
        found = preset_index(len(self.names), self._keyed, ref)
        if found is None:
            if isinstance(ref, int):
                raise KeyError(Missing(f"no preset {ref} on the server"))
            hint = self._meant(ref)
            raise KeyError(Missing(f"no preset named {ref!r} on the server{hint}", hint))
        return found

    def _meant(self, ref: str) -> Hint:
        """What a refusal of `ref` offers; none here, where no line is offered (the lights' look-ups)."""
        return Hint()

    def named(self, name: str) -> int | None:
        """The index of the preset named `name` (case-insensitive), None where the server has none so named."""
        return preset_index(len(self.names), self._keyed, name)


class OfferedPresets(ServerPresets):
    """The server's presets as a refusal that offers the line meant finds them."""

    def _meant(self, ref: str) -> Hint:
        """What the server's show offers in place of `ref` (`scene misty forest, city`: the name listed first;
        `preset 2,3`: the blend of the two), by the one rule its console follows (presethints.preset_hint)."""
        return preset_hint(ref, PresetNames(self.names, self._keyed))


class RemoteController:
    """Stands in for the server's controller on this machine: commands go over the wire; the state the server
    sends back is mirrored, so MIDI soft takeover knows where each parameter is."""

    def __init__(self, send: Callable[[str], bool], sending: bool = False,
                 send_typed: Callable[[str], bool] | None = None):
        self._send = send
        # a line typed at this console goes with its mark: the server then says each failure of it on air here
        self._send_typed = send_typed or send
        self.sending = sending  # this vcam cam uploads an input (--send): `input net` puts it on air
        self.state = SimpleNamespace(seed=0, steps=4, transition=4, blend=None, preset=None, preset_removed=False,
                                     blend_knob=None, screen="live", presets=[], input="none",
                                     strength=DEFAULT_STRENGTH, bias=DEFAULT_BIAS)
        self._snapshot: dict = {}  # the server's state as it last sent it
        self.trail = StateTrail()  # every value the knobs' parameters took, for soft takeover
        self.listeners: list[Callable[[], None]] = []  # told after every state the server sends (OSC replies)
        # the parameters said to wait for a connection, since the server was last heard
        self._kept_said: set[str] = set()
        self._here_said: set[str] = set()  # the paths (and cameras) said to be opened on the server's (_here_only)
        # the line meant, offered as the server's console offers it, of the presets it last said (its cues are not
        # said here: no go is offered)
        self._offers = Offers(lambda: OfferedPresets(list(self.state.presets or [])), lambda: None, self._takes)

    def snapshot(self) -> dict:
        return dict(self._snapshot)

    def on_air(self) -> tuple[ServerPresets, int | None, str]:
        """The server's presets, the one on air (None: a typed prompt, or one a reload took out) and its screen
        mode, as a controller's lights show them."""
        state = self.state
        presets = ServerPresets(list(state.presets))
        index = None
        if state.preset is not None and not state.preset_removed:
            try:
                index = presets.find(state.preset)
            except KeyError:  # the state's presets and preset are sent apart: a new list before the preset on it
                pass
        return presets, index, state.screen

    def update(self, data: dict) -> None:
        self._kept_said.clear()  # connected: a value not sent from now on is said again
        data = {key: value for key, value in data.items() if key not in _MIRRORED or _MIRRORED[key](value)}
        # the preset and whether a reload took it out are one fact: a server from before sends the preset alone (none
        # of its presets is removed), and a flag without its preset names none
        if "preset" in data:
            data.setdefault("preset_removed", False)
            # sent with every preset by a server that sends it: one from before (a reconnect) leaves none behind
            data.setdefault("blend_knob", None)
        else:
            data.pop("preset_removed", None)
        self._snapshot.update(data)
        self._update(data)
        for listener in self.listeners:
            listener()

    def _update(self, data: dict) -> None:
        for key in ("seed", "steps", "transition", "screen", "presets", "input", "strength", "bias"):
            if key in data:
                setattr(self.state, key, data[key])
        if "blend" in data:
            self.state.blend = tuple(data["blend"]) if data["blend"] else None
        if "blend_knob" in data:
            self.state.blend_knob = tuple(data["blend_knob"]) if data["blend_knob"] else None
        if "preset" in data:
            self.state.preset, self.state.preset_removed = data["preset"], data["preset_removed"]
        self.trail.heard(self.state)

    def handle_line(self, line: str, source: str, network: bool = False) -> str | None:
        """`network` (an OSC sender's line) is the server's to judge: every line is from the network there. A line
        refused here is answered as the server answers one from `source`, so a sender is told what it can send."""
        try:
            # a typo from afar is not pointed at quit, as on the server; an input's path names the server's files,
            # which it reads in the folders it shares: none of this machine's is looked for
            cmd = parse(line, console=not network, network=True)
        except CommandError as e:
            # caught here: a typo never travels; `preset` alone lists the server's presets, as on its console
            # `seed 5, steps 3`: offered apart where no show refuses either (the server's is not known here), as
            # lines to type where typed, else as commands each sent on its own
            # a MIDI control's line is no typist's: it is told how a control sends several, not what to type
            # `ocean`: a preset of the server's show, named alone; `next next` too, before the commands it doubles
            # the lines a hint reads (`'input file:/a.png"'` read without its quotes) name the server's files too
            with from_network():
                said = name_typed(line, self._has_preset, not network) if e.unknown is not None or e.joined else None
                if said is None:
                    said = joined_hint(e.joined, lambda cmd: cmd.name in TAKEN_ANYWHERE, given_as(source))
                if said is None:
                    said = self._meant(e, source, network)
            if said is not None:
                return f"error: {said}"
            # typed, a question; from a MIDI or OSC control sending no value: its error, as the server says it
            if source == TYPED and (asked := self._now(e.missing)) is not None:
                return asked
            # `preset` or `blend` alone asks which there are, as at the server's console: the list, not an error
            if source == TYPED and (listed := choices_asked(line, e.missing, self.state.presets)) is not None:
                return listed
            return f"error: {e}{preset_choices(e.missing, self.state.presets)}{self._input_help(e.missing, network)}"
        return self.apply(cmd, source) if cmd is not None else None

    def _meant(self, e: CommandError, source: str, network: bool) -> str | None:
        """The refusal `e` offering the line meant, as the server's console offers it (`scene 2`, `next 2`: preset 2)
        where the server's show has the preset (as it last said its presets); None for any other line. The server's
        cues are not said here, so `cue 5` is offered no go, nor `next cue` one."""
        if READ_AS.get(width_folded(e.said[0]).lower(), ("",))[0] == "go":
            return None
        return self._offers.instead(e, source, not network)

    def _takes(self, cmd: Command) -> bool:
        """Whether the server would take `cmd`, as far as is known here: what no show refuses, and a preset, a
        blend, a next or a prev where the server's show has the presets named (as it last said them)."""
        if cmd.name in TAKEN_ANYWHERE:
            return True
        names = list(self.state.presets or [])
        if cmd.name not in ("next", "prev", "preset", "blend") or not names:
            return False
        found = [preset_index(len(names), keyed_names(names), ref) for ref in presets_named(cmd)]
        # a blend of one preset with itself is refused, as the server's show refuses it (commands.blend_twice)
        return None not in found and len(set(found)) == len(found)

    def _has_preset(self, cmd: Command) -> bool:
        """Whether `cmd` names a preset the server's show has, as it last said its presets (its cues are not said)."""
        names = (self.state.presets or []) if cmd.name == "preset" else []
        return preset_index(len(names), keyed_names(names), cmd.args[0]) is not None

    def _input_help(self, missing: str | None, network: bool) -> str:
        """input_help as the server's console says it, with a line to type: the uploads of this vcam cam where it
        sends them, else a clip in the folders the server shares (whose files are not known here)."""
        example = ("input net (the camera this vcam cam sends)" if self.sending else
                   "input file:NAME.mp4 (a clip in the folder the server shares)")
        return input_help(missing, network, lambda: example)

    def _now(self, missing: str | None) -> str | None:
        """The server's value of what `seed`, `bpm`, … typed alone (`missing`) would change, as its console says
        it (setting_now); None before the server sent it (this machine's defaults are no value of the show's)."""
        return setting_now(missing, self._snapshot)

    def apply(self, cmd: Command, source: str) -> str | None:
        if cmd.name == "help":
            from vcam.control.commands import TYPED_ONLY, help_text

            # `help blend`: how blend is written, as the server's console says it; OSC's list without quit, which
            # it refuses
            if source == TYPED:
                return help_text(*cmd.args)
            return help_text(*cmd.args, leaving_out=tuple(TYPED_ONLY), usages=CAM_USAGE)
        if (self._send_typed if source == TYPED else self._send)(str(cmd)):
            return _here_only(cmd, self._here_said, self.sending)
        if cmd.name not in PARAMS:  # a press: late, it would fire out of its moment (Waiting)
            return f"not connected: {cmd} will be sent if the server is back within {Waiting.STALE_S:g} s"
        # the link keeps a parameter's last value only: said once for a knob's sweep, not for each of its values
        if cmd.name in self._kept_said:
            return None
        self._kept_said.add(cmd.name)
        return f"not connected: {cmd} will be sent once the server is reached (or the last {cmd.name} given by then)"

    def set_param(self, param: str, value: float, source: str, between: tuple | None = None) -> str | None:
        # the local state stays as the server last reported it, so that MIDI soft takeover can tell its own values
        # coming back late from a change made elsewhere
        if param == "blend":
            names = self.state.presets
            if len(names) < 2:
                return "error: blend needs a show with at least two presets on the server"
            a, b = between if between is not None else self._blend_pair(names)
            return self.apply(Command("blend", (a, b, value), at="off"), source)  # at once, as on the server
        whole = PARAMS[param][2]  # strength and bias are fractions; the others are counts
        return self.apply(Command(param, (int(value) if whole else value,), at="off"), source)

    def _blend_pair(self, names: list[str]) -> tuple[str, str]:
        """The two presets the server blends now (its state names them by index), else the pair the server's own
        knob would take (`blend_knob`), else the current and the next: past the middle the server's current preset
        becomes the second one, which must not shift the pair."""
        blend = self.state.blend
        if blend and all(isinstance(i, int) and 0 <= i < len(names) for i in blend[:2]):
            return names[blend[0]], names[blend[1]]
        knob = self.state.blend_knob
        if knob and all(name in names for name in knob):  # else read beside another show's presets: the old rule
            return knob[0], knob[1]
        # a server from before: a preset on air that a reload took out is not in `names`, and it starts at the first
        current = names.index(self.state.preset) if self.state.preset in names else 0
        return names[current], names[(current + 1) % len(names)]


def _here_only(cmd: Command, said: set[str], sending: bool = False) -> str | None:
    """A clip or still typed by its whole path on this machine (a file dropped on the terminal): the server opens
    the file of that path on its own machine (a NAS mounted at the same path on both plays), and refuses one outside
    the folders it shares with words that name no folder of this one. Said once for each path: a MIDI or OSC button
    that puts it on runs the line at every press."""
    if cmd.name != "input":
        return None
    spec = parse_input(cmd.args[0])
    if spec.kind == "camera":
        return _server_camera(str(spec), said, sending)
    if spec.kind not in ("file", "image") or spec.target in said:
        return None
    path = os.path.expanduser(spec.target)
    if not os.path.isabs(path) or not os.path.isfile(path):
        return None
    said.add(spec.target)
    how = "vcam cam --send file:PATH sends a clip from here" if spec.kind == "file" else "copy a picture there"
    return f"{spec.target} is opened on the server's machine, in a folder vcam serve --media shares, not here ({how})"


def _server_camera(spec: str, said: set[str], sending: bool) -> str | None:
    """`input camera` typed here opens a camera of the server's machine (a rented GPU has none), and the server's
    answer names its devices as if they were this machine's: said once whose camera it is, and how this machine's
    goes up (already sent, with --send: `input net`, where restarting with --send was what had been done)."""
    if "camera" in said:
        return None
    said.add("camera")
    how = ("this vcam cam sends its --send input up: input net puts it back on air" if sending else
           "to restyle this machine's camera, start vcam cam with --send camera")
    return f"input {spec} opens a camera of the server's machine, not of this one; {how}"
