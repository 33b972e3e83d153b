"""The `vcam` command's parser: each subcommand's options and their help, in the order `vcam --help` lists them
(what a flag's value may be is vcam.argtypes)."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import textwrap
from collections.abc import Callable

from vcam import argtypes
from vcam.control.commands import MAX_SEED, MAX_TRANSITION
from vcam.control.shipped import shipped_show, shipped_shows
from vcam.inspec import DEFAULT_STRENGTH, INPUT_FITS
from vcam.engine.speed import ATTENTION, ATTENTION_QUANTS, COMPILE_MODES, DECODERS, QUANTS
from vcam.words import listed, nearest, shell_word


# as vcam.control.midi.find_port picks the input, and midiinput.MidiInput waits for one not plugged in yet
MIDI_PORT_HELP = ("by its name or a part of it, the whole name before a part (vcam devices lists them); one not "
                  "plugged in yet is waited for, and opened when it comes")


class _OneController(argparse.Action):
    """--midi and --midi-map, which vcam takes once: it listens to one MIDI input, with one map. Given twice (two
    controllers plugged in, a flag for each), argparse kept the last, and the first controller did nothing, unsaid.
    The same port twice, case aside, is one port (its name is matched so)."""

    def __call__(self, parser, namespace, values, option_string=None):
        if values == []:  # `--midi=--` (an input named --), `--midi-map=--` (a file): argparse before Python 3.12
            values = self.type("--") if self.type is not None else "--"  # drops a value that is -- itself
        before = getattr(namespace, self.dest, None)
        if before is not None and not self._same(before, values):
            parser.error(f"argument {option_string}: given twice ({before!r}, then {values!r}): "
                         f"{self._once(before, values)}")
        setattr(namespace, self.dest, values)

    def _none(self, *values: str) -> bool:
        """Whether one of `values` is --midi none, no input (vcam midi learn has no such: it is a port's name)."""
        from vcam.control.midi import NO_MIDI  # here: the command line is read before MIDI's modules are needed

        return self.type is not argtypes.midi_input and NO_MIDI in values

    def _same(self, before: str, now: str) -> bool:
        if self.dest != "midi" or self._none(before, now):  # a map is a file's path
            return before == now
        return before.casefold() == now.casefold()

    def _once(self, before: str, now: str) -> str:
        if self.dest == "midi_map":
            return "vcam plays with one map; give one"
        if self._none(before, now):
            return "give either none (no input) or the input to listen to"
        return "vcam listens to one MIDI input; give the controller to play with once"


def _add_osc_args(r: argparse.ArgumentParser, show: bool = True) -> None:
    """The OSC options; `show`: the command plays a show file, whose osc: section is the default map (vcam cam has
    none)."""
    maps = "--osc-map or the show's osc: section" if show else "--osc-map"
    r.add_argument("--osc", metavar="[HOST:]PORT", type=argtypes.osc_address(False),
                   help="listen for OSC on this UDP port (127.0.0.1 unless a host is given; 0.0.0.0: from the "
                        f"network): /vcam/<command> args, and the addresses of {maps}")
    r.add_argument("--osc-map", metavar="MAP", type=argtypes.user_path,
                   help="touchosc-simple or an OSC map file (default: " +
                        ("the show's osc: section)" if show else "none, the /vcam/<command> addresses only)"))
    r.add_argument("--osc-reply", metavar="[HOST:]PORT", type=argtypes.osc_address(True),
                   help="send the show's state there over OSC on every change and once a second (labels on a "
                        "tablet: /vcam/preset, /vcam/blend, /vcam/bpm, /vcam/beat, /vcam/fps, /vcam/status, and "
                        "where the map's faders stand); a PORT alone: to that port of each machine that sends OSC "
                        "to --osc (a tablet whose address changes, two tablets)")


def _add_smooth_arg(r: argparse.ArgumentParser) -> None:
    from vcam.live.interp import SMOOTH_MODES

    r.add_argument("--smooth", nargs="?", const="fade", choices=SMOOTH_MODES, metavar="fade|flow",
                   help="fill the camera's frames between generated ones: fade (cross-fade, what --smooth alone "
                        "does) or flow (in-between frames by optical flow on this machine's CPU; see BENCHMARKS.md)")


def _smooth_alone(argv: list[str]) -> list[str]:
    """`--smooth` followed by a show file, a shipped show's name (`--smooth club`) or a URL (the flag before its
    mode became optional) stays the cross-fade: only another plain word after it is read as its mode, so `--smooth
    blur` is still refused; vcam cam plays no show: `--smooth club` there is said as a mode it does not have."""
    out = list(argv)
    plays = out[:1] in (["run"], ["serve"])
    for i, arg in enumerate(out[:-1]):
        nxt = out[i + 1]
        if arg == "--smooth" and not nxt.startswith("-") \
                and (not re.fullmatch(r"[A-Za-z]+", nxt) or plays and shipped_show(nxt) is not None):
            out[i] = "--smooth=fade"
    return out


# Flags a newcomer writes out in full (or as other programs name them) for the short ones vcam has: too far from
# them for a spelling match
OTHER_FLAGS = {"--input": "--in", "--output": "--out", "--outputs": "--out", "--framerate": "--fps",
               "--frame-rate": "--fps", "--resolution": "--size"}


class _HelpFormatter(argparse.HelpFormatter):
    """Help wrapped at spaces only: textwrap also breaks at hyphens, and `--midi-` ending one line with `map`
    starting the next (vcam cam --help on an 80-column terminal) is no flag a reader can copy; a word longer than
    the width (--log-controls on a 16-column terminal) runs past the edge whole rather than cut inside itself."""

    _AT_SPACES = {"break_on_hyphens": False, "break_long_words": False}

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(self._whitespace_matcher.sub(" ", text).strip(), width, **self._AT_SPACES)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return textwrap.fill(self._whitespace_matcher.sub(" ", text).strip(), width, initial_indent=indent,
                             subsequent_indent=indent, **self._AT_SPACES)


# what `vcam midi` is given for the MIDI inputs' list, which is `vcam devices`'s
MIDI_LISTING = ("devices", "device", "list", "ls", "ports", "inputs", "in")
# and for a map's check, which `vcam check` and `vcam run --midi-map` make
MIDI_CHECKING = ("check", "map", "validate", "verify", "lint")
# a subcommand asked for to send this machine's camera up, which vcam cam does (its --send)
SENDING = ("send", "upload", "sender")


class _Parser(argparse.ArgumentParser):
    # what a subcommand's own parser does too with an error's message before it is said (its arguments and the
    # message); set on that subcommand's parser alone (vcam bench's: its --json), None for the others
    on_error: Callable[[list[str], str], None] | None = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)  # for each subcommand's parser too
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        self._argv = _smooth_alone(sys.argv[1:] if args is None else list(args))
        return super().parse_known_args(self._argv, namespace)

    def error(self, message: str):
        if message.startswith("the following arguments are required: ") and (said := self._subcommands_option()):
            message = said
        elif self.prog == "vcam midi" and message.startswith("the following arguments are required: learn"):
            # `vcam midi` alone read "required: learn", as if learn were a value to give, not what to type
            message = ("give what to do: vcam midi learn prints each control touched on the controller with the line "
                       "to paste into a map (vcam midi learn --midi NAME for another input than the first; vcam "
                       "devices lists the inputs)")
        elif self.prog == "vcam render" and message.startswith("the following arguments are required: ") \
                and "--out" in message:
            # argparse named the option alone: what it takes (a file, not a device) was in the help only
            log = self._first_word()  # the log given, as the user named it (None: left out too, and said so)
            message += (f"; give the file to make, as in vcam render {shell_word(log) if log else 'LOG.jsonl'} "
                        "--out file:show.mp4")
        message = _switch_valued(message) + (self._dash_value(message) or self._value_left_out(message))
        if self.on_error is not None:
            self.on_error(getattr(self, "_argv", []), message)
        return super().error(message)

    def _value_left_out(self, message: str) -> str:
        """`vcam run --out` (its value left out, or another option after it): argparse's "expected one argument"
        with the form to give it in."""
        said = re.fullmatch(r"argument (\S+): expected one argument", message)
        flag = said.group(1).split("/")[-1] if said else ""
        action = next((a for a in self._actions if flag in a.option_strings), None)
        if action is None:
            return ""
        value = action.metavar or ("|".join(map(str, action.choices)) if action.choices else action.dest.upper())
        return f": give {flag} {value}"

    def _dash_value(self, message: str) -> str:
        """`--prompt -dark` (a prompt, a size that starts with a dash): argparse took the value for an unknown option
        and said only "expected one argument"; said here how to give it. Not where the next word is an option
        (`--out --duration 10`: the value was left out)."""
        said = re.fullmatch(r"argument (\S+): expected one argument", message)
        argv = getattr(self, "_argv", [])
        for flag, value in zip(argv, argv[1:]) if said else ():
            if flag in said.group(1).split("/") and value.startswith("-") and value != "-" \
                    and not any(o.startswith(value.split("=", 1)[0]) for o in _options(self)):
                return f" (a value that starts with - is taken for an option: give it as {flag}={value})"
        return ""

    def parse_args(self, args=None, namespace=None):
        # argparse says a subcommand's unknown option as the top level's ("vcam: error: unrecognized arguments:
        # --modle", with `vcam`'s usage): said here by the subcommand, with the option likely meant
        argv = _help_command(sys.argv[1:] if args is None else list(args))
        self._said_before_subcommand(argv)
        parsed, extras = self.parse_known_args(argv, namespace)
        spilled, shows = _prompt_spilled(argv, parsed, extras)
        if spilled:
            self._subcommand(parsed).error(f"argument --prompt: a prompt of several words goes in quotes: --prompt "
                                           f"{' '.join([shell_word(spilled), *map(shlex.quote, shows)])}"
                                           f"{_or_the_shipped_show(spilled, shows, parsed, argv)}")
        show = getattr(parsed, "show", None)
        # a shipped show's name is no value either (`vcam run --link club`)
        if show and not os.path.exists(show) and shipped_show(show) is None \
                and _after_a_switch(self._subcommand(parsed), [show]):
            extras = [show] + extras  # `vcam run --link yes`: no show file named yes, a value --link does not take
        if extras:
            command = self._subcommand(parsed)
            said = _after_a_switch(command, extras) or _second_value(command, extras) \
                or _elsewhere(self, command, extras) or _meant(command, extras)
            command.error(f"unrecognized arguments: {' '.join(extras)}{said}")
        return parsed

    def _check_value(self, action: argparse.Action, value) -> None:
        """argparse's "invalid choice" with the choice likely meant first (`vcam rn`, `vcam Run`, `--fit strech`):
        the whole list alone left the operator to find the typo."""
        choices = action.choices
        if choices is None or value in choices or not isinstance(value, str):
            return super()._check_value(action, value)
        if " " in self.prog and value not in (words := self._words()):
            # argparse's choice is the value of an option of the subcommand given before it (`vcam midi --count 3`)
            if words and words[0] not in choices:
                value = words[0]  # `vcam midi --midi nano lern`: the subcommand misspelt, said as such
            elif said := self._subcommands_option():
                self.error(said)
        if self.prog == "vcam midi" and value.lower() in MIDI_LISTING:  # a list of learn alone sent no one further
            raise argparse.ArgumentError(action, f"invalid choice: {value!r}: vcam devices lists the MIDI inputs (and "
                                                 "the virtual cameras); vcam midi takes learn")
        if self.prog == "vcam midi" and value.lower() in MIDI_CHECKING:  # no subcommand reads a map file alone
            raise argparse.ArgumentError(action, f"invalid choice: {value!r}: a MIDI map is checked with the show that "
                                                 "names it (midi: map: FILE), by vcam check SHOW.yaml, or as vcam run "
                                                 "--midi-map FILE starts; vcam midi takes learn")
        if self.prog == "vcam" and value.lower() in SENDING:  # `send` is near `render`, offered in its place
            raise argparse.ArgumentError(action, f"invalid choice: {value!r}: vcam cam sends this machine's camera or "
                                                 "a clip up to vcam serve: vcam cam ws://HOST:PORT --send camera (or "
                                                 "--send file:CLIP)")
        named = [c for c in choices if isinstance(c, str)]
        # of two as near, the one it begins (`ren`: render, not run)
        meant = nearest(value.lower(), named, cutoff=0.6, prefer=[c for c in named if c.startswith(value.lower())])
        if meant is None:
            return super()._check_value(action, value)
        raise argparse.ArgumentError(action, f"invalid choice: {value!r}; did you mean {meant}? (choose from "
                                             f"{', '.join(map(repr, choices))})")

    def _words(self) -> list[str]:
        """This parser's arguments that are neither options nor the value of a subcommand's option given before it
        (`nano` of `vcam midi --midi nano lern`)."""
        valued = {o for a in self._actions if isinstance(a, argparse._SubParsersAction) for parser in
                  a.choices.values() for option in parser._actions if option.nargs != 0 for o in option.option_strings}
        argv = getattr(self, "_argv", [])
        return [arg for i, arg in enumerate(argv) if not arg.startswith("-") and not (i and argv[i - 1] in valued)]

    def _first_word(self) -> str | None:
        """The first argument given to this parser that is neither an option nor an option's value."""
        valued = {o for a in self._actions if a.nargs != 0 for o in a.option_strings}
        argv = getattr(self, "_argv", [])
        words = (arg for i, arg in enumerate(argv) if not arg.startswith("-") and not (i and argv[i - 1] in valued))
        return next(words, None)

    def _subcommands_option(self) -> str | None:
        """`vcam midi --count 3`: an option of a subcommand of this one (learn's) given before its name, which
        argparse answered with "invalid choice: '3'", the option's value taken for the subcommand; None where none
        was given."""
        subs = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        for flag in (arg.split("=", 1)[0] for arg in getattr(self, "_argv", []) if arg.startswith("--")):
            for name, parser in (subs.choices.items() if subs is not None else ()):
                if flag in _options(parser) - {"--help"}:
                    return f"{flag} is {parser.prog}'s option: it goes after {name} ({parser.prog} {flag} …)"
        return None

    def _said_before_subcommand(self, argv: list[str]) -> None:
        """`vcam --model tiny run`: argparse took `tiny` for the subcommand ("invalid choice: 'tiny'"), and `vcam
        --unknown run` was said as vcam run's unknown option. Said here as what it is: an option before the
        subcommand, which vcam itself does not take."""
        first = argv[0].split("=", 1)[0] if argv else ""
        if not first.startswith("-") or any(o == first or (len(first) > 2 and o.startswith(first))
                                            for o in _options(self)):
            return  # vcam's own (-h, --version, or as argparse takes them shortened: --vers)
        top = next(a for a in self._actions if isinstance(a, argparse._SubParsersAction))
        valued = {o for p in top.choices.values() for a in p._actions if a.nargs != 0 for o in a.option_strings}
        parser, at = self, None
        for i, arg in enumerate(argv):
            subs = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            if subs is None or arg not in subs.choices or (at is None and i > 0 and argv[i - 1] in valued):
                if at is not None:  # past the subcommand's name (and its own subcommand's)
                    break
                continue  # an option's value (`--out cam run`) is no subcommand
            parser, at = subs.choices[arg], i if at is None else at
        if at is None:  # `vcam --model tiny`: no subcommand at all
            self._said_without_subcommand(first, argv)
        early = argv[:at]
        flag = early[0].split("=", 1)[0]
        if flag in _options(parser):
            self.error(f"{flag} is {parser.prog}'s option: it goes after {parser.prog.split(' ', 1)[1]} "
                       f"({parser.prog} {flag} …)")
        self.error(f"unrecognized arguments: {' '.join(early)} (before the subcommand, vcam takes -h and --version "
                   f"only; {parser.prog}'s options go after it)")

    def _said_without_subcommand(self, flag: str, argv: list[str]) -> None:
        """`vcam --count 3`, `vcam --modle tiny`: argparse took the option's value for the subcommand ("invalid
        choice: '3'"). The first subcommand that takes the option is named (nested ones too: vcam midi learn's
        --count), or shortened as argparse takes it (--dur), else the option likely meant."""
        commands = list(_subcommands(self))
        exact = [c for c in commands if flag in _options(c) - {"-h", "--help"}]
        # shortened: named only where it is short for one option alone, whichever subcommand takes it (--dur, not --co)
        longer = {o for c in commands for o in _options(c) if len(flag) > 2 and o.startswith(flag)}
        taking = exact or ([c for c in commands if longer & _options(c)] if len(longer) == 1 else [])
        if taking:
            taken = flag if exact else longer.pop()
            self.error(f"{flag} is an option of a subcommand: it goes after its name ({taking[0].prog} {taken} …)")
        known = sorted({o for c in commands for o in _options(c) if o.startswith("--")} - {"--help"})
        meant = nearest(flag, known, cutoff=0.75) if flag.startswith("--") and not longer else None
        after = (f"did you mean {next(c.prog for c in commands if meant in _options(c))} {meant}?" if meant else
                 "give the subcommand first, then its options: vcam --help lists the subcommands")
        self.error(f"unrecognized arguments: {' '.join(argv)} (before a subcommand, vcam takes -h and --version "
                   f"only; {after})")

    def _subcommand(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The innermost subcommand's parser that `parsed` went through (`vcam midi learn`'s), else this one."""
        parser = self
        while True:
            subs = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            name = getattr(parsed, subs.dest, None) if subs is not None else None
            if name not in (subs.choices if subs is not None else {}):
                return parser
            parser = subs.choices[name]


def _switch_valued(message: str) -> str:
    """argparse's "ignored explicit argument 'yes'" for a value given to an option that takes none (`--link=yes`,
    `--compile=false`) said as what to give instead; any other message as it is."""
    said = re.fullmatch(r"argument (\S+): ignored explicit argument (.*)", message)
    if said is None:
        return message
    flags = said.group(1).split("/")
    alone = flags[0] if len(flags) == 1 else " or ".join(flags)
    return f"argument {said.group(1)}: takes no value ({said.group(2)} given): give {alone} alone"


def _help_command(argv: list[str]) -> list[str]:
    """`vcam help` and `vcam help run` (as git and pip take them) read as `vcam --help` and `vcam run --help`: they
    were refused as "invalid choice: 'help'"; `vcam help help` is the first."""
    if argv[:1] != ["help"]:
        return argv
    return [*(argv[1:] if argv[1:2] != ["help"] else argv[2:]), "--help"]


def _prompt_spilled(argv: list[str], parsed: argparse.Namespace, extras: list[str]) -> tuple[str | None, list[str]]:
    """The whole prompt where one typed without quotes (`--prompt a neon city`) spilled its words into the show
    file's place and the unknown arguments ("unrecognized arguments: city", or "city: the show file does not
    exist"), and the show files among those words (`--prompt neon city show.yaml`: no part of the prompt); None
    where the words after it are a show file (`--prompt cats show.yaml`, or a shipped show's name: `club`) or
    nothing."""
    prompt = getattr(parsed, "prompt", None)
    # shortened as argparse takes it too (--prom)
    flags = [i for i, a in enumerate(argv) if len(a.split("=", 1)[0]) > 2 and "--prompt".startswith(a.split("=", 1)[0])]
    if prompt is None or not flags:
        return None, []
    at = flags[-1] + (1 if "=" in argv[flags[-1]] else 2)
    words = []
    for word in argv[at:]:
        if word.startswith("-") and word != "-":
            break
        words.append(word)
    show = getattr(parsed, "show", None)
    # a shipped show's name alone after the prompt is the show (`--prompt cats club`); among other words, or where a
    # show was given before --prompt, it is one of the prompt's (`--prompt neon club show.yaml`)
    if words == [show] and show not in extras and shipped_show(show) is not None:
        return None, []
    shows = [w for w in words if _a_show_name(w) or os.path.isfile(w)]
    spilled = [w for w in words if w not in shows]
    if not spilled or not (set(words) & set(extras) or show in spilled):
        return None, []
    return " ".join([prompt] + spilled), shows


def _or_the_shipped_show(spilled: str, shows: list[str], parsed: argparse.Namespace, argv: list[str]) -> str:
    """The other reading of a prompt spilled up to a shipped show's name (`--prompt a neon club`: the words, or
    `a neon` on the show club), where no show was given elsewhere; else ""."""
    prompt, _, last = spilled.rpartition(" ")
    given = getattr(parsed, "show", None)
    if shows or not prompt or shipped_show(last) is None or given is None or given not in spilled.split(" ") \
            or argv.count(given) > 1:
        return ""
    return f" (or --prompt {shell_word(prompt)} {last}, to play {last}, a show vcam ships)"


def _a_show_name(word: str) -> bool:
    """`word` is named as a show file is (show.yaml), there or not."""
    return word.lower().endswith((".yaml", ".yml"))


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


def _subcommands(parser: argparse.ArgumentParser):
    """Every subcommand's parser under `parser`, each before its own (vcam midi, then vcam midi learn), in the order
    `vcam --help` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield command
                yield from _subcommands(command)


def _first_unknown(parser: argparse.ArgumentParser, extras: list[str]) -> tuple[list[str], str, int]:
    """The command line as given, the first argument `parser` did not take and its place in it (0: not found)."""
    argv = getattr(parser, "_argv", [])
    return argv, extras[0], argv.index(extras[0]) if extras[0] in argv else 0


def _after_a_switch(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """"; --in takes no value in vcam bench" where the first unknown argument follows an option that takes none
    (`vcam bench --in camera`, written as vcam run's --in): "unrecognized arguments: camera" alone did not say
    why; else "", as for a show file's name (`--link shw.yaml`: a show file mistyped, not a value of --link)."""
    argv, first, at = _first_unknown(parser, extras)
    switches = {o for a in parser._actions if a.nargs == 0 for o in a.option_strings}
    if first.startswith("-") or _a_show_name(first) or at == 0 or argv[at - 1] not in switches:
        return ""
    return f"; {argv[at - 1]} takes no value in {parser.prog}"


def _second_value(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """"; --out takes one OUTPUT: give --out again for each" where the first unknown argument follows an option's
    value (`--out file:a.mp4 file:b.mp4`): "vcam run takes one SHOW.yaml" named a place the word was not meant for;
    else ""."""
    argv, first, at = _first_unknown(parser, extras)
    actions = {o: a for a in parser._actions for o in a.option_strings}
    before = argv[at - 1] if at >= 1 else ""
    flag = before.split("=", 1)[0] if before.startswith("--") and "=" in before else argv[at - 2] if at >= 2 else ""
    action = actions.get(flag)
    if first.startswith("-") or _a_show_name(first) or action is None or action.nargs is not None:
        return ""
    what = action.metavar or "value"
    if isinstance(action, argparse._AppendAction):
        return f"; {flag} takes one {what}: give {flag} again for each ({flag} {shlex.quote(first)})"
    return f"; {flag} takes one {what}"


def _elsewhere(top: argparse.ArgumentParser, parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """"; --send is vcam cam's option, not vcam run's" for the first unknown option that other subcommands take
    (`vcam run --token x`, `vcam bench --out null`): "did you mean --seed?" named an option nothing like it."""
    for extra in extras:
        flag = extra.split("=", 1)[0]
        taking = [c.prog for c in _subcommands(top) if c is not parser and flag in _options(c) - {"-h", "--help"}]
        # one of its own is unknown only after `--` (`vcam run -- show.yaml --model tiny`): not said as another's
        if flag.startswith("--") and taking and flag not in _options(parser):
            return f"; {flag} is an option of {listed(taking)}, not of {parser.prog}"
    return ""


def _meant(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """"; did you mean --model?" for the first unknown option that one of `parser`'s is near, else ""."""
    known = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    shows = [a.metavar for a in parser._actions if a.dest == "show" and not a.option_strings]
    if any("--version".startswith(e.split("=", 1)[0]) and len(e) > 5 for e in extras):  # `vcam run --version`
        return "; the version is vcam's own: vcam --version"
    places = [a.metavar for a in parser._actions if not a.option_strings and a.nargs in (None, "?")]
    if places and not any(extra.startswith("-") for extra in extras):  # `vcam run a.yaml b.yaml`
        return f"; {parser.prog} takes one {places[0]}"
    if not places and not any(a.option_strings != ["-h", "--help"] for a in parser._actions):  # `vcam models all`
        return f"; {parser.prog} takes no arguments"
    if not places and "--count" in known and len(extras) == 1 and extras[0].isdigit():
        # `vcam midi learn 3`: how many controls, not an input's name
        return f"; the number of messages to learn is given with --count: {parser.prog} --count {extras[0]}"
    if not places and "--midi" in known and len(extras) == 1 and not extras[0].startswith("-"):
        # `vcam midi learn nano`: the controller's name, which is --midi's value
        return f"; the input is given with --midi: {parser.prog} --midi {shlex.quote(extras[0])}"
    for extra in extras:
        flag = extra.split("=", 1)[0]
        if flag.lower() in ("--show", "--show-file") and shows:
            return f"; a show file is given without a flag: {parser.prog} {shows[0]}"
        if flag.lower() in ("--show", "--show-file") and any(a.dest == "url" for a in parser._actions):  # vcam cam
            return "; vcam cam plays the show vcam serve plays: give the show file to vcam serve (vcam serve SHOW.yaml)"
        if re.fullmatch(r"-[A-Za-z]", flag):  # `-m tiny`, `-o null`: vcam's options have no one-letter forms
            return _long_forms(parser.prog, flag[1], known)
        if not flag.startswith("--"):
            continue
        if flag in known:  # its own option, unknown only past `--` (`vcam run -- show.yaml --model tiny`)
            return f"; {flag} comes after --, past which every word is taken for no option: give it before --"
        meant = OTHER_FLAGS.get(flag.lower()) or nearest(flag, known, cutoff=0.75)
        if meant in known:
            return f"; did you mean {meant}?"
    return ""


def _long_forms(prog: str, letter: str, known: list[str]) -> str:
    """"; vcam run's options are written in full: --model, --midi, …" for a one-letter option (`-m`), naming those
    that start with its letter."""
    starting = list(dict.fromkeys(o for o in known if o[2:3].lower() == letter.lower()))  # as --help lists them
    if not set(known) - {"--help"}:
        return f"; {prog} takes no options"
    if not starting:
        return f"; {prog}'s options are written in full ({prog} --help lists them)"
    return f"; {prog}'s options are written in full: {listed(starting, 'or')}?"


ATTENTION_QUANT_HELP = ("int8: the self-attention through SageAttention 1.0.6's INT8 Q·K kernel (CUDA, Ampere or "
                        "newer; pip install sageattention==1.0.6): changes the picture slightly (53 dB PSNR on an "
                        "H200) and ran 1.7x slower than the exact attention there (BENCHMARKS.md); passes with --bias "
                        "below 1 stay exact (default none)")
DECODER_HELP = ("taehv: TAEHV's tiny decoder instead of the Wan VAE's: faster, less faithful (its weights, tens of "
                "MB, come from github.com/madebyollin/taehv once) (vae)")
_COMPILE_MODE_HELP = ("how torch.compile builds the transformer's kernels: default, or max-autotune-no-cudagraphs "
                      "(autotuned Triton GEMMs with what follows them fused; a longer first warm-up)")


def _or_shipped() -> str:
    """Where SHOW.yaml goes a shipped show's name goes too: said in the help, since a pip install has no presets/
    folder whose files to name."""
    names = shipped_shows()
    return f", or the name of a show vcam ships: {', '.join(names)}" if names else ""


def _add_live_args(r: argparse.ArgumentParser, default_out: str) -> None:
    """The options `vcam run` and `vcam serve` share."""
    r.add_argument("show", nargs="?", metavar="SHOW.yaml", type=argtypes.show_ref,
                   help=f"a show file (presets, outputs, MIDI map){_or_shipped()}")
    r.add_argument("--model", help="krea-14b (CUDA) or tiny (random weights, any machine); "
                                   "default: krea-14b where a CUDA GPU exists, else tiny")
    r.add_argument("--weights", metavar="DIR", type=argtypes.user_path,
                   help="a local folder laid out like the hub repos (default: download from the Hugging Face hub)")
    r.add_argument("--prompt", type=argtypes.prompt, help="what to generate (default: the show's first preset; "
                                                         "with no show, a neon-lit city street at night in the rain)")
    r.add_argument("--seed", type=argtypes.within(argtypes.whole, 0, MAX_SEED),
                   help="noise seed (default: the show's seed:, else 0)")
    r.add_argument("--steps", type=argtypes.within(argtypes.whole, 1, 50), metavar="N",
                   help="denoising steps (default: the show's steps:, else 4)")
    r.add_argument("--transition", type=argtypes.within(argtypes.whole, 0, MAX_TRANSITION), metavar="BLOCKS",
                   help="blocks over which a prompt change blends in (default: the show's transition:, else 4)")
    r.add_argument("--size", type=argtypes.frame_size, metavar="WxH",
                   help="generated frame size (default: the show's size:, else the largest up to 832x480 that keeps "
                        "--target-fps on this GPU; krea-14b's 832x480 without one)")
    r.add_argument("--target-fps", dest="target_fps", type=argtypes.target_fps, metavar="N",
                   help="with neither --size nor --quant (nor a show's size, nor --replay): generated frames/s the "
                        "size is chosen to keep on this GPU, in bf16 where that size keeps it in bf16, else FP8 (10)")
    r.add_argument("--out", action="append", metavar="OUTPUT",
                   help="vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally @WxH; repeatable "
                        f"(default: {default_out})")
    r.add_argument("--fps", type=argtypes.frame_rate, help="camera frame rate (default: the show's fps:, else 30)")
    r.add_argument("--fit", choices=("letterbox", "crop", "stretch"),
                   help="how generated frames fit an output of another shape (default: the show's fit:, else "
                        "letterbox)")
    _add_smooth_arg(r)
    r.add_argument("--in", dest="input", type=argtypes.input_source, metavar="SRC",
                   help="video to restyle: none (text only), camera, camera:N, camera:/dev/videoN, file:CLIP, "
                        "image:PICTURE or net (what vcam cam --send uploads) (default: the show's input:, else none)")
    r.add_argument("--in-fit", dest="input_fit", choices=INPUT_FITS,
                   help="how the input fits the generated frame size (default: the show's input_fit:, else crop)")
    r.add_argument("--strength", type=argtypes.strength, metavar="X",
                   help=f"how much of the input survives: 0 keeps it all, 1 is text only (default: the "
                        f"show's strength:, else {DEFAULT_STRENGTH:g})")
    r.add_argument("--bias", type=argtypes.bias, metavar="X",
                   help="Krea's attention bias on the past frames, above 0 to 1: lower leans less on the frames "
                        "just made, so prompt changes land sooner (Krea runs 0.3) (default: the show's bias:, else "
                        "1, off)")
    r.add_argument("--duration", type=argtypes.duration, metavar="SECONDS",
                   help="stop after this long on air: seconds, or 10m, 1h, 1h30m, 1:30 (a minute and a half)")
    r.add_argument("--max-latency", type=argtypes.positive(float), default=4.0, metavar="SECONDS",
                   help="drop the oldest frames past this much delay (4)")
    r.add_argument("--fallback", metavar="IMAGE", type=argtypes.fallback_image,
                   help="image shown while generation is stalled (default: the show's fallback:, else hold the "
                        "last frame)")
    r.add_argument("--quant", choices=QUANTS,
                   help="fp8: FP8 matrices through torchao (CUDA compute capability 8.9+; see BENCHMARKS.md); "
                        "nvfp4: 4-bit NVFP4 matrices (Blackwell, 10.0+; untested on a card yet); "
                        "default none, or fp8 where no --size was given and only fp8 fits the card or keeps "
                        "--target-fps at the largest size that keeps it")
    r.add_argument("--decoder", choices=DECODERS, help=DECODER_HELP.removesuffix("(vae)")
                   + "(default: a replayed log's, else vae)")
    # None: a replay's, else none
    r.add_argument("--attention-quant", choices=ATTENTION_QUANTS, help=ATTENTION_QUANT_HELP)
    sp = r.add_argument_group("speed", "by default the options `vcam bench --tune` saved for this card and these "
                                       "settings; any of these flags replaces them (the rest stay at the defaults)")
    sp.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                    help="torch.compile the transformer blocks and the VAE decoder before going on air (the default "
                         "on a GPU: measured fastest; minutes the first time at a size, then cached)")
    sp.add_argument("--attention", choices=ATTENTION, help="restrict attention to one kernel family (auto)")
    sp.add_argument("--compile-mode", choices=COMPILE_MODES, help=_COMPILE_MODE_HELP)
    sp.add_argument("--no-tuning", dest="tuning", action="store_false",
                    help="ignore the saved tuning (defaults, or the flags above)")
    r.add_argument("--pin-first-latent", action="store_true",
                   help="keep the stream's first latent as context instead of re-encoding recent frames")
    r.add_argument("--midi", metavar="PORT", action=_OneController, type=argtypes.midi_port,
                   help=f"a MIDI input, {MIDI_PORT_HELP} (vcam run defaults to the show's midi: port; none opens "
                        "no input)")
    r.add_argument("--midi-map", metavar="MAP", action=_OneController, type=argtypes.user_path,
                   help="nanokontrol2, midimix, apc-mini-mk2 or a map file (default: the show's midi: section)")
    _add_osc_args(r)
    r.add_argument("--media", action="append", metavar="DIR", type=argtypes.media_folder,
                   help="a folder whose clips and images commands from the network (vcam cam clients, --osc) may "
                        "name with input file: or image:; repeatable (default: the show file's folder, else none)")
    r.add_argument("--link", action="store_true",
                   help="take the tempo from the Ableton Link session on the local network (Live, phone apps; "
                        "needs the link extra: pip install \"vcam[link]\", or -e \".[link]\" in the vcam folder)")
    r.add_argument("--no-stdin", dest="stdin", action="store_false", help="ignore commands on stdin")
    r.add_argument("--log-controls", metavar="FILE", type=argtypes.user_path,
                   help="write every applied command to FILE (JSON lines); not with --replay, whose log already "
                        "holds them")
    r.add_argument("--replay", metavar="LOG", type=argtypes.user_path,
                   help="replay a control log (same start, same commands, same blocks)")


def _add_run_parser(sub) -> None:
    r = sub.add_parser("run", help="generate live video into the virtual camera and other outputs",
                       description="Loads the model and streams it into every --out at a steady frame rate. "
                                   "Settings given here override the show file's.")
    _add_live_args(r, "the show's out:, else vcam")


def _add_serve_parser(sub) -> None:
    s = sub.add_parser("serve", help="generate on this (GPU) machine for vcam cam clients over WebSocket",
                       description="Like vcam run, with a WebSocket output that vcam cam clients watch and "
                                   "steer. Local --out outputs are optional.")
    _add_live_args(s, "none")
    s.add_argument("--host", type=argtypes.listen_host, default="127.0.0.1",
                   help="address to listen on (127.0.0.1: reach it through ssh -L; 0.0.0.0 needs --token)")
    s.add_argument("--port", type=argtypes.within(int, 1, 65535), default=8765, help="port to listen on (8765)")
    s.add_argument("--token", type=argtypes.token, default=None,
                   help="a secret clients must give (default: $VCAM_TOKEN)")
    s.add_argument("--quality", type=argtypes.within(int, 10, 100), default=80, metavar="Q",
                   help="JPEG quality of the frames sent (80)")


def _add_cam_parser(sub) -> None:
    cam = sub.add_parser("cam", help="show a vcam serve stream in this machine's virtual camera (no GPU needed)",
                         description="Receives frames from vcam serve, paces them into the local outputs, and "
                                     "sends typed and MIDI commands back. Reconnects by itself.")
    cam.add_argument("url", metavar="ws://HOST:PORT",
                     help="the vcam serve to watch: ws://HOST:PORT, or wss://ADDRESS through an HTTPS proxy (a port "
                          "left out is 8765 for ws://)")
    cam.add_argument("--token", type=argtypes.token, default=None, help="the server's token (default: $VCAM_TOKEN)")
    cam.add_argument("--out", action="append", metavar="OUTPUT", help="as for vcam run (default: vcam)")
    cam.add_argument("--size", type=argtypes.output_size, metavar="WxH", help="output size (default 832x480)")
    cam.add_argument("--fps", type=argtypes.frame_rate, default=30.0, help="camera frame rate (30)")
    cam.add_argument("--fit", choices=("letterbox", "crop", "stretch"), default="letterbox",
                     help="how the server's frames fit an output of another shape (letterbox)")
    _add_smooth_arg(cam)
    cam.add_argument("--duration", type=argtypes.duration, metavar="SECONDS",
                     help="stop this long after the first frame received (seconds, or 10m, 1h30m, 1:30); with no frame "
                          "at all, give up (exit 1) after this long or 10 minutes, whichever is longer")
    cam.add_argument("--max-latency", type=argtypes.positive(float), default=4.0, metavar="SECONDS",
                     help="drop the oldest frames past this much delay (4)")
    cam.add_argument("--fallback", metavar="IMAGE", type=argtypes.fallback_image,
                     help="image shown while the server is unreachable")
    cam.add_argument("--midi", metavar="PORT", action=_OneController, type=argtypes.cam_midi_port,
                     help=f"a MIDI input, {MIDI_PORT_HELP}, whose commands go to the server; needs --midi-map"
                          " (none opens no input)")
    cam.add_argument("--midi-map", metavar="MAP", action=_OneController, type=argtypes.user_path,
                     help="nanokontrol2, midimix, apc-mini-mk2 or a map file, for --midi")
    _add_osc_args(cam, show=False)
    cam.add_argument("--no-stdin", dest="stdin", action="store_false", help="ignore commands on stdin")
    cam.add_argument("--send", metavar="SRC", type=argtypes.send_source,
                     help="send this machine's camera or a clip up as the server's input: camera, camera:N, "
                          "camera:/dev/videoN or file:CLIP (one client at a time; the server's input is net)")


# A block of the 14B model takes about 2 s on an H100 (BENCHMARKS.md): 1000 are over half an hour, each candidate
# of a --tune too, where a mistyped `--blocks 100000` (or `--warmup 100000`) ran for days before anything said so
MAX_BENCH_BLOCKS = 1000


def _add_bench_parser(sub) -> None:
    b = sub.add_parser("bench", help="time the streaming loop on random weights (tiny on a CPU)",
                       description="Builds the model with random weights on the GPU (no download, same FLOPs), "
                                   "runs warm-up then N blocks of the real loop, and prints frames/s, ms per "
                                   "stage, peak VRAM and efficiency against the card's measured matmul rate. "
                                   "--tune times every speed option that gives the same frames and saves the "
                                   "fastest for this card; vcam run and vcam serve then use it.")
    b.add_argument("--model", default="krea-14b",
                   help="krea-14b or tiny (krea-14b; without a CUDA device, tiny)")
    b.add_argument("--size", type=argtypes.frame_size, metavar="WxH", help="frame size (default: the model's)")
    b.add_argument("--steps", type=argtypes.within(int, 1, 50), default=4, metavar="N", help="denoising steps (4)")
    b.add_argument("--blocks", type=argtypes.within(int, 1, MAX_BENCH_BLOCKS), default=8,
                   help=f"blocks timed (8; at most {MAX_BENCH_BLOCKS})")
    b.add_argument("--warmup", type=argtypes.within(int, 0, MAX_BENCH_BLOCKS), default=3,
                   help="blocks run first, untimed (3; at least 2: the first has no context, so the steady state "
                        f"starts at the second; at most {MAX_BENCH_BLOCKS})")
    b.add_argument("--dtype", choices=("bf16", "fp16", "fp32"),
                   help="the transformer's precision on a GPU (bf16); a CPU runs fp32")
    b.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                   help="torch.compile the transformer blocks and the VAE decoder (default: as a show would, so "
                        "on a GPU for a real model)")
    b.add_argument("--no-fuse", dest="fuse", action="store_false", help="separate q, k, v projections")
    b.add_argument("--attention", choices=ATTENTION, default="auto",
                   help="restrict attention to one kernel family (auto)")
    b.add_argument("--compile-mode", choices=COMPILE_MODES, help=_COMPILE_MODE_HELP)
    b.add_argument("--quant", choices=QUANTS, default="none",
                   help="fp8: torchao FP8 matrices (CUDA 8.9+); nvfp4: 4-bit NVFP4 (Blackwell, 10.0+)")
    b.add_argument("--decoder", choices=DECODERS, default="vae", help=DECODER_HELP)
    b.add_argument("--attention-quant", choices=ATTENTION_QUANTS, default="none", help=ATTENTION_QUANT_HELP)
    b.add_argument("--device", help="cuda, cuda:1, cpu (default: cuda where there is one)")
    b.add_argument("--in", dest="video_in", action="store_true",
                   help="video in: restyle a synthetic moving clip at the default strength (times the VAE encode); "
                        "with --tune, saved apart from text only, for shows with an input")
    b.add_argument("--bias", type=argtypes.bias, default=1.0, metavar="X",
                   help="Krea's attention bias (1, off; 0.3 times the segmented attention Krea's setting runs)")
    b.add_argument("--split", action="store_true",
                   help="then profile one more block: the ms of its recompute and first denoising pass in GEMM, "
                        "attention and everything else, naming the largest of the last")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    b.on_error = _bench_json_error
    b.add_argument("--tune", action="store_true",
                   help="time every speed option that gives the same frames and save the fastest for this card "
                        "(vcam run and vcam serve use it by default); a tune stopped with Ctrl-C saves what it "
                        "timed, and the next one at the same settings times only the rest")
    b.add_argument("--tune-budget", type=argtypes.positive(float), metavar="SECONDS",
                   help="with --tune: start no new candidate after this long (the most promising run first)")
    b.add_argument("--retune", action="store_true",
                   help="with --tune: time every candidate again, keeping none of the rates a stopped tune at the "
                        "same settings saved")


def _add_render_parser(sub) -> None:
    r = sub.add_parser("render", help="make a show again from its control log into a video file, every frame once",
                       description="Replays a log written by vcam run --log-controls offline, as fast as the "
                                   "model goes: the same start and the same changes at the same blocks, every "
                                   "generated frame written once at the show's frame rate (no pacing, no repeated "
                                   "frames). With the same model, size and steps the frames are the show's; "
                                   "--size, --steps, --model and --quant make a finer one. To play a log into the "
                                   "camera in real time, use vcam run --replay.")
    r.add_argument("log", metavar="LOG.jsonl", type=argtypes.log_path,
                   help="a control log (vcam run --log-controls FILE)")
    r.add_argument("--out", action="append", required=True, metavar="OUTPUT",
                   help="file:PATH.mp4 (optionally @WxH) or null; repeatable")
    r.add_argument("--model", help="the model to render with (default: the show's)")
    r.add_argument("--weights", metavar="DIR", type=argtypes.user_path,
                   help="a local folder laid out like the hub repos")
    r.add_argument("--size", type=argtypes.frame_size, metavar="WxH", help="generated frame size (default: the show's)")
    r.add_argument("--steps", type=argtypes.within(int, 1, 50), metavar="N",
                   help="denoising steps for every block, the show's changes of steps included (default: the "
                        "show's)")
    r.add_argument("--quant", choices=QUANTS, help="precision (default: the show's)")
    r.add_argument("--decoder", choices=DECODERS, help="vae or taehv (default: the show's)")
    r.add_argument("--attention-quant", choices=ATTENTION_QUANTS,
                   help="none (the exact attention) or int8 (default: the show's)")
    r.add_argument("--fps", type=argtypes.frame_rate,
                   help="frame rate of the files (default: the show's, else 30)")
    r.add_argument("--fit", choices=("letterbox", "crop", "stretch"),
                   help="how frames fit an output given @WxH of another shape (letterbox)")
    r.add_argument("--blocks", type=argtypes.within(int, 1), metavar="N",
                   help="render only the first N blocks (a log without its end line needs it)")
    r.add_argument("--no-tuning", dest="tuning", action="store_false",
                   help="ignore the speed options vcam bench --tune saved")


def _add_midi_parser(sub) -> None:
    m = sub.add_parser("midi", help="MIDI tools", description="MIDI tools: vcam midi learn prints the map line "
                                                             "of each control touched on a controller.")
    msub = m.add_subparsers(dest="midi_command", metavar="learn", required=True)
    learn = msub.add_parser("learn", help="print each incoming control and the mapping line to paste",
                            description="Prints each control touched on the controller with the line to paste "
                                        "into a show's midi: controls: or a map file, until --count or Ctrl-C.")
    learn.add_argument("--midi", metavar="PORT", action=_OneController, type=argtypes.midi_input,
                       help="the input, by its name or a part of it (default: the first)")
    learn.add_argument("--count", type=argtypes.within(int, 1),
                       help="stop after this many messages from controls (notes, CCs, program changes; each value "
                            "a knob sends is one); not counted: a release (a note's, or a CC's 0 straight after its "
                            "press of 64 or more, so a button set to toggle counts once per on and off), pitch bend, "
                            "aftertouch, MIDI clock and sysex")


def _add_download_parser(sub) -> None:
    d = sub.add_parser("download", help="download the model weights into the Hugging Face cache",
                       description="Fetches the weights vcam run would download at its first start (40 to 52 GB) "
                                   "into the Hugging Face hub cache ($HF_HOME/hub, by default "
                                   "~/.cache/huggingface/hub), saying first when the disk is too small; files "
                                   "already there are kept.")
    d.add_argument("--model", default="krea-14b", help="the model whose weights to fetch (krea-14b)")
    d.add_argument("--decoder", choices=DECODERS, default="vae", help="taehv: TAEHV's weights too (from GitHub)")


def _bench_json_error(argv: list[str], message: str) -> None:
    """vcam bench --json's refused arguments said as a JSON object on stdout too: a tool reading the JSON gets the
    reason, as cmd_bench's own failures give it."""
    if asks_json(argv):
        from vcam.cmdline.errorlines import said_as_json

        said_as_json({"error": message})


def asks_json(argv: list[str]) -> bool:
    """Whether vcam bench's arguments (`argv`, those after "bench") ask for --json, before argparse read them."""
    # --js too: argparse takes an option's unambiguous start for it; --json=yes, refused for its value, is one too
    return any(len(flag) > 2 and "--json".startswith(flag) for flag in (a.split("=", 1)[0] for a in argv))


def build_parser() -> argparse.ArgumentParser:
    from vcam import __version__

    p = _Parser(prog="vcam", description="Krea Realtime 14B as a live virtual camera.")
    p.add_argument("--version", action="version", version=f"vcam {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    # in this order in `vcam --help`
    _add_run_parser(sub)
    _add_serve_parser(sub)
    _add_cam_parser(sub)
    _add_bench_parser(sub)
    _add_render_parser(sub)
    k = sub.add_parser("check", help="validate a show file and print a summary",
                       description="Reads a show file as vcam run would (its presets, cues, MIDI and OSC maps, the "
                                   "files it names) and prints a summary, or every error with its line and fix "
                                   "(exit code 2). Loads no model.")
    k.add_argument("show", metavar="SHOW.yaml", help=f"the show file to check{_or_shipped()}")
    sub.add_parser("devices", help="list MIDI inputs and virtual camera devices",
                   description="Lists the MIDI inputs (the names --midi takes) and the virtual camera devices "
                               "(v4l2loopback on Linux), saying of each camera device whether vcam can write to it "
                               "and which programs hold it.")
    _add_midi_parser(sub)
    sub.add_parser("models", help="list the model configurations",
                   description="Lists the models --model takes, with their default size and where their weights "
                               "come from.")
    _add_download_parser(sub)
    return p
