"""What an OSC message does: a map's bindings first (faders with soft takeover for each tablet, buttons), then
`/vcam/<command>` as the typed line, or Unfit for one that fits nothing.

Apart from the UDP input, which only paces messages and says what goes wrong: what a message means, and which
messages come in streams (OscRouter.swept), is decided here, for a socket's messages and a test's alike.
"""
from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vcam.control.commands import (NO_ARGS, TYPED_ONLY, USAGE, CommandError, blend_side, parse,
                                   typed_only, usage)
from vcam.control.faders import PARAMS, Takeovers
from vcam.control.mapfiles import SHOW_WORDS, CommandWords
from vcam.control.media import Refused
from vcam.control.oscmap import BUILTIN, CMD, OscButton, OscFader, OscMap, builtin_command
from vcam.words import counted, nearest, terminal_safe

ON = 0.5  # a button's value at or above which it counts as pressed (TouchOSC sends 1 then 0)
# The built-in commands that set a value a fader may sweep: their replies are held back like a fader's. The tempo
# too, which a patch (TouchDesigner) may send on every frame.
SWEPT = (*PARAMS, "bpm")
# Senders each with soft takeover of their own (two tablets); past it the least recently heard is forgotten
MAX_SURFACES = 16
FADER_SLACK = 0.001  # a fader's value this far past 0 to 1 is a float's rounding, taken as the end
# OSC's wildcards: a sender's pattern would reach every control it matches (a bracket left open is no pattern: an
# ESC sequence sent in an address holds one)
PATTERN = re.compile(r"[*?]|\[[^\]]*\]|\{[^}]*\}")
# what a command that takes a value is sent, for the line refusing a button's true there
EXAMPLES = {"preset": "3", "blend": "1 3 0.5", "seed": "42", "transition": "8", "steps": "2", "strength": "0.6",
            "bias": "0.3", "bpm": "128", "quantize": "bar", "input": "none", "prompt": '"a red fox in snow"'}
REST_S = 0.5  # a fader moved this recently is in the operator's hand: its position is not sent back to it


class Unfit(Exception):
    """A message that fits no address or not the values its address takes; `key` groups the lines said about it.
    `once`: nothing listens at its address, which is said once while messages keep coming there (a tablet's
    accelerometer streams all show long), not every few seconds."""

    def __init__(self, message: str, key: tuple, once: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.once = once


@dataclass
class _Surface:
    """What the router keeps of one sender (a tablet): its faders' soft takeover and its buttons' last values. Two
    tablets with the same layout send the same addresses; each picks up a fader by itself."""

    takeovers: Takeovers
    buttons: dict[str, float] = field(default_factory=dict)


class SenderAnswers(Protocol):
    """Where an answer meant for the sender goes (help's list, which the console prints too): the OSC replies."""

    def answer(self, host: str, address: str, values: list) -> None: ...

    def reaches(self, host: str) -> bool: ...


class OscRouter:
    """Turns OSC messages into commands and parameter changes: a map's bindings first, then /vcam/<command>.

    `mapping` is a map, or a function giving the one in force (the show's `osc:` section, which a reload of the
    show file replaces). `controller` is the show's Controller or vcam cam's RemoteController. `answers`: where an
    answer meant for the sender goes, and which senders get one: the OSC replies; None without --osc-reply (OSC
    itself answers no sender). `words`: what a command only the console gives is told where the show's own words
    would mislead, and what such a refusal leaves running (vcam cam's: this camera, whose show goes on at the
    server)."""

    def __init__(self, mapping: OscMap | Callable[[], OscMap | None] | None, controller,
                 clock: Callable[[], float] = time.monotonic,
                 answers: SenderAnswers | None = None,
                 words: CommandWords = SHOW_WORDS) -> None:
        self._mapping = mapping if callable(mapping) else (lambda: mapping)
        self.controller = controller
        self.answers = answers
        self.words = words
        self.clock = clock
        self._surfaces: dict[str, _Surface] = {}  # by the sender's host, the least recently heard first
        # a mapped fader's address → by sender's host, when a message last came to it (those within REST_S)
        self._moved: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    @property
    def mapping(self) -> OscMap:
        return self._mapping() or OscMap()

    def handle(self, address: str, args: list, sender: str = "?") -> list[str]:
        """The controller's replies (an error starts with "error"), for the terminal; Unfit for a message that fits
        nothing. `sender`: where the message came from (host:port), which a refusal names."""
        with self._lock:
            mapping = self.mapping
            faders, buttons = mapping.bound(address)
            self._unbound(address, {f.arg for f in faders}, sender)
            if faders or buttons:
                return [r for r in self._mapped(address, args, faders, buttons, sender) if r]
            if PATTERN.search(address) and not mapping.ignores(address):
                raise Unfit(f"{shown(address)} is an OSC address pattern, which vcam does not expand: send to each "
                            f"control's own address ({BUILTIN}next, /1/fader1); a control whose own address holds "
                            "* ? [ ] { } cannot be mapped (a map's ignore: can drop it)", (address,), once=True)
            if address.startswith(BUILTIN):
                reply = self._builtin(address, address[len(BUILTIN):].lower(), args, sender)
                return [reply] if reply else []
            if mapping.ignores(address):
                return []
            bound = list(dict.fromkeys(e.address for e in mapping.faders + mapping.buttons))
        if bound:
            # "others need an osc: map" sent an operator whose map was loaded looking for a map they already had
            some = ", ".join(shown(a) for a in bound[:3]) + (f", … ({len(bound)} in all)" if len(bound) > 3 else "")
            which = f"the OSC map {mapping.name}" if mapping.name else "the osc: map"
            raise Unfit(f"nothing listens at {shown(address)}: {which} binds "
                        f"{some}, and the built-in addresses are {BUILTIN}<command>; bind it in the map's controls:, "
                        "or drop it unsaid with its ignore: list (said once while it keeps coming)",
                        (address,), once=True)
        raise Unfit(f"nothing listens at {shown(address)}: the built-in addresses are {BUILTIN}<command> "
                    f"({BUILTIN}preset 3, {BUILTIN}next, …), others need an osc: map, whose ignore: list drops "
                    "an address unsaid (said once while it keeps coming)", (address,), once=True)

    def moving(self, address: str, host: str | None = None) -> bool:
        """Whether a mapped fader at `address` is in the operator's hand (a message came to it within REST_S):
        its position is not sent back, which would pull at the finger with the values it sent a moment ago.
        `host`: that machine's fader only (a second tablet's follows the first's move, where it stood still for
        as long as the first was moved); None: any sender's."""
        now = self.clock()
        return any(now - at < REST_S for sender, at in self._moved.get(address, {}).items()
                   if host is None or sender == host)

    def _touched(self, address: str, sender: str) -> None:
        """A message came to the fader at `address` from `sender`: kept with the others still in a hand, replaced
        whole so that a reply's read never sees it change."""
        now = self.clock()
        held = {h: at for h, at in self._moved.get(address, {}).items() if now - at < REST_S}
        held[_host(sender).strip("[]")] = now  # as the replies name a host: an IPv6 one without its brackets
        self._moved[address] = held

    def swept(self, address: str) -> bool:
        """Whether messages to `address` come in streams: a map's fader there, or the built-in address of a value a
        fader sweeps. Their values may be merged (the latest wins), and their replies are held back as a sweep goes
        on (one line, then a count naming the last); a press (a button, /vcam/preset, /vcam/go, /vcam/cmd) acts
        each time, and its reply is said each time, so what is said last is what is on air. An address nothing acts
        at (ignored, or not known) counts as a stream: merging its messages loses nothing."""
        faders, buttons = self.mapping.bound(address)
        if faders or buttons:
            return bool(faders)
        name = builtin_command(address)
        return name is None or name in SWEPT

    def _builtin(self, address: str, name: str, args: list, sender: str) -> str | None:
        if name == CMD:
            return self._typed(address, args, sender)
        if name not in USAGE:
            answered = self.answers is not None and self.answers.reaches(_host(sender).strip("[]"))
            raise Unfit(_no_command(address, name, answered), (address,), once=True)
        if name in NO_ARGS and len(args) == 1 and _is_number(args[0]):
            if float(args[0]) < ON:
                return None  # a push button's release
            args = []
        # a true among values is refused too (/vcam/blend 1 3 T)
        if name not in NO_ARGS and _released(address, args, lambda true: _no_value(address, name, true)):
            return None
        _no_control(address, args)
        words = [_word(address, a) for a in args]
        if name == "input" and len(words) > 1:
            self._split_path(address, " ".join(words), len(words))
        if name == "blend":  # its presets are split like a shell's words: quoted as its typed line is
            words = [blend_side(w) for w in words[:2]] + words[2:]
        return self._line(" ".join([name, *words]), sender)

    def _typed(self, address: str, args: list, sender: str) -> str | None:
        """/vcam/cmd "preset 3 @bar": the line as typed (QLab's network cue sends `/vcam/cmd preset 3` as two
        values, joined here by a space)."""
        # a true is not read as the line `1`, which would be answered as an unknown command
        if _released(address, args, lambda true: f"{shown(address)} got {_got(true)}, which is no command: set the "
                     f"button to send the command line as text, e.g. {address} \"preset 3 @bar\""):
            return None
        _no_control(address, args)
        line = " ".join(_word(address, a) for a in args).strip()
        if not line:
            raise Unfit(f"{shown(address)} takes a command line as text, e.g. {address} \"preset 3 @bar\"",
                        (address,))
        return self._line(line, sender)

    def _split_path(self, address: str, joined: str, values: int) -> None:
        """Unfit for an input's file sent as several values whose join (one space between, the typed line's rule)
        names no file: a name with two spaces or a tab, or a path sent apart from its `image:`, opened nothing. The
        controller reads the line (Controller.missing_file); vcam cam's, whose files only its server sees, has no
        such reading, and a line the controller refuses otherwise is left to it."""
        missing = getattr(self.controller, "missing_file", None)
        spec = missing(f"input {joined}") if missing is not None else None
        if spec is None:
            return
        example = "image:my still.png" if spec.kind == "image" else "file:my clip.mp4"
        raise Unfit(f"{shown(address)}: {spec.kind}:{terminal_safe(spec.target)} is no file (its {values} values "
                    f"joined with a space); send the input as one text value, e.g. {address} \"{example}\", "
                    "which keeps a name's spaces as they are", (address,))

    def _line(self, line: str, sender: str) -> str | None:
        try:
            cmd = parse(line, network=True)
        except CommandError:
            cmd = None  # the controller says what is wrong with it
        if (why := typed_only(cmd, "OSC", self.words.typed_only)) is not None:
            return f"error: OSC sender {sender}: {why}; {self.words.goes_on}"
        # the message's own words, from whoever reaches the port: its files stay in the shared folders (a map's
        # commands are the operator's, as written). OSC answers no sender: the refusal is said on this terminal
        # only, as the operator's account (with the folders) and whose message it was.
        try:
            reply = self.controller.handle_line(line, "osc", network=True)
        except Refused as e:
            return f"error: OSC sender {sender} was refused {e.detail}"
        if cmd is not None and cmd.name == "help" and reply and self.answers is not None:
            self.answers.answer(_host(sender).strip("[]"), f"{BUILTIN}help", [reply])
        return reply

    def _surface(self, sender: str) -> _Surface:
        """The sender's surface, by its host (a tablet sends from one address; the port may change as it
        reconnects), made at its first message."""
        host = _host(sender)
        surface = self._surfaces.pop(host, None) or _Surface(Takeovers(self.controller, "osc"))
        self._surfaces[host] = surface  # the most recently heard last
        if len(self._surfaces) > MAX_SURFACES:  # a sender spraying from many addresses must not grow it
            del self._surfaces[next(iter(self._surfaces))]
        return surface

    def _unbound(self, address: str, args: set[int], sender: str) -> None:
        """The sender's faders at `address` on the values `args` leaves out forgotten: moved while no fader is
        mapped there, each is picked up anew where a reloaded map gives it back (Takeovers.forget)."""
        surface = self._surfaces.get(_host(sender))
        if surface is not None:
            surface.takeovers.forget(lambda control: control[0] == address and control[1] not in args)

    def _mapped(self, address: str, args: list, faders: list[OscFader], buttons: list[OscButton],
                sender: str) -> list:
        replies = []
        surface = self._surface(sender)
        if faders:
            self._touched(address, sender)
        # every fader's value read before any moves: an XY pad with one value wrong moves neither
        xs = [_fader_at(address, args, f.arg) for f in faders]
        for f, x in zip(faders, xs):
            takeover = surface.takeovers.of((address, f.arg), f)
            replies.append(takeover.turn(f, f.value(x)))
        for b in buttons:
            x = _number_at(address, args, 0) if args else 1.0  # a message without a value: a trigger
            prev = surface.buttons.get(address)
            surface.buttons[address] = x
            on = x >= ON
            # A push sends 1 then 0: it fires on the 1. The same value again means the other was lost (UDP); a
            # fader used as a button fires as it passes the middle.
            if prev is None or x == prev or (prev >= ON) != on:
                command = b.command if on else b.release
                if command is not None:
                    replies.append(self.controller.apply(command, "osc"))
        return replies


def _host(sender: str) -> str:
    """A sender's host (host:port), by which its surface is kept."""
    return sender.rpartition(":")[0] or sender


def _released(address: str, args: list, refused: Callable[[bool], str]) -> bool:
    """Whether `args` are a button's release, false alone (a button that sends true, then false), to be let go by;
    Unfit, said by `refused` (told whether a true is among them), for any other args holding a true or false."""
    if not any(isinstance(a, bool) for a in args):
        return False
    if args == [False]:
        return True
    raise Unfit(refused(any(a is True for a in args)), (address,))


def _is_number(v) -> bool:
    return isinstance(v, (int, float))  # bool (OSC's T and F) included


def _word(address: str, v) -> str:
    """One OSC value as the command line writes it."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        # OSC floats are 32-bit: 7 digits say all of one (0.1, not 0.10000000149011612)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else format(v, ".7g")
    raise Unfit(f"{shown(address)}: {_kind(v)} values are not understood; send numbers or text", (address,))


def _is_control(c: str) -> bool:
    """A control or line-separating character other than the ordinary white space (tab, newline, CR, VT, FF): the
    command line drops \x1c-\x1f, NEL and U+2028 too, though str.isspace() counts them as space."""
    return (unicodedata.category(c) == "Cc" and c not in "\t\n\r\v\f") or unicodedata.category(c) in ("Zl", "Zp")


def _no_control(address: str, args: list) -> None:
    """Unfit for a text value holding a control character (an ESC), which the command line drops unsaid:
    `/vcam/blend "\x1b" b 0.5` was told its quotes hold no name, `/vcam/preset "\x07"` that preset needs one."""
    for i, v in enumerate(args):
        bad = next((c for c in v if _is_control(c)), None) if isinstance(v, str) else None
        if bad is not None:
            raise Unfit(f"{shown(address)}: value {i + 1} holds a control character ({ascii(bad)[1:-1]}), which no "
                        "name, prompt or path holds; set the sender to send the text without it", (address,))


def _number_at(address: str, args: list, i: int) -> float:
    if i >= len(args):
        raise Unfit(f"{shown(address)}: expected {counted(i + 1, 'value')}, got {len(args)}", (address,))
    if not _is_number(args[i]):
        raise Unfit(f"{shown(address)}: value {i + 1} must be a number (0 to 1), not {_kind(args[i])}",
                    (address,))
    if not math.isfinite(args[i]):  # a NaN fader blended NaN weights and failed the stream a block later
        raise Unfit(f"{shown(address)}: value {i + 1} must be a number (0 to 1), not {args[i]}", (address,))
    return float(args[i])


def _fader_at(address: str, args: list, i: int) -> float:
    """A fader's value, 0 to 1. One past that is refused, not taken as the end: a desk or a fader set to send 0 to
    127 (MIDI's range) put the show's fader at full from its first step, unsaid."""
    x = _number_at(address, args, i)
    if not -FADER_SLACK <= x <= 1 + FADER_SLACK:
        midi = " (a range of 0 to 127 is MIDI's)" if 1 < x <= 127 and x == int(x) else ""
        raise Unfit(f"{shown(address)}: value {i + 1} is {_word(address, args[i])}, past a fader's 0 to 1; set "
                    f"the sender's control to send 0 to 1{midi}", (address,))
    return x


def _kind(v) -> str:
    kinds = {str: "text", bytes: "blob", type(None): "nil", list: "array", tuple: "MIDI or RGBA"}
    return next((name for t, name in kinds.items() if isinstance(v, t)), type(v).__name__)


def _no_value(address: str, name: str, true: bool) -> str:
    """A button's true (OSC's T) sent where a command takes a value: read as the number 1, it took every press on
    /vcam/preset to preset 1."""
    example = f", e.g. {shown(address)} {EXAMPLES[name]}" if name in EXAMPLES else ""
    return (f"{shown(address)} got {_got(true)}, which is no value: set the button to send "
            f"the value itself{example} ({usage(name)})")


def _got(true: bool) -> str:
    """A button's true or false, as a reply names what came."""
    return "True (OSC's T, a button's press)" if true else "False (OSC's F, a button's release)"


def _no_command(address: str, name: str, answered: bool = False) -> str:
    """One short line for a built-in address that names no command: the address meant where one is near (as the
    console names the command meant), else where the commands are listed; the whole list ran to 400 characters.
    `answered`: help's list goes back to this sender too (vcam's --osc-reply answers it), which a tablet's operator
    far from this terminal was not told."""
    said = f"{shown(address)}: there is no command {name[:40]!r}"
    # a command OSC may not give (quit) is not offered: sent, it would only be refused
    meant = nearest(name, [n for n in (*USAGE, CMD) if n not in TYPED_ONLY])
    if meant is not None:
        return f"{said}; did you mean {BUILTIN}{meant}?"
    back = f" and sends them to {BUILTIN}help at vcam's --osc-reply port" if answered else ""
    return f"{said}; {BUILTIN}help lists the commands on this terminal{back} (each at {BUILTIN}<command>)"


def shown(address: str) -> str:
    """An address as the terminal says it: its first 60 characters (anyone on the network may send a long one), a
    control character escaped (an ESC sent in an address cleared or recoloured the operator's terminal)."""
    return terminal_safe(address if len(address) <= 60 else address[:60] + "…")
