"""OSC over UDP (python-osc): control surfaces (TouchOSC), TouchDesigner and Resolume steer the show, and labels on a
tablet show what is on air.

In: `/vcam/<command> args…` is the typed line `<command> args…` (`/vcam/preset "neon city"`, `/vcam/blend 1 2
0.5`, `/vcam/next`), `/vcam/cmd "LINE"` a whole typed line (a cue program's); a map (oscmap.py) binds any other
address to a parameter or a command. A message that fits nothing is said on the terminal, once per address every
few seconds however many come (an address nothing listens at: once, while it keeps coming), and the input goes on.
A reply is said each time for a press (a button, /vcam/preset, /vcam/go), and held back the same way for what
comes in streams (a fader, /vcam/strength): see OscRouter.swept. A stream's values may be merged (the latest
wins); presses never are: each acts, in the order they came. A bundle acts at its time tag, as OSC 1.0 has it: at
once where it says so (1) or its time has passed, later where it is to come (a cue program's timed changes), up
to osctimed.MAX_AHEAD_S ahead; one timed further ahead is refused, said once.
Quit is not taken over OSC (a stray tap would end the show): it is typed at vcam's console (commands.typed_only).
Out (`--osc-reply [HOST:]PORT`): the state, on every change and once a second, and help's answer to its sender
(oscreply.py).
This module makes the input and the replies as parts of a show, checked before anything opens; the UDP input is
oscinput.py, what a message does oscrouter.py, bundles timed ahead osctimed.py, reading a datagram oscpackets.py,
`[HOST:]PORT` oscports.py, and a map's file oscmap.py.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vcam.control.mapfiles import SHOW_WORDS, CommandWords
from vcam.control.oscinput import OscInput
from vcam.control.oscmap import OscMap
from vcam.control.oscpackets import load_pythonosc
from vcam.control.oscports import parse_address, parse_reply, written
from vcam.control.oscrouter import OscRouter
from vcam.errors import VcamError
from vcam.loopback import is_loopback


def osc_parts(listen: str | None, reply: str | None, map_ref: str | None, show, controller,
              say: Callable[[str], None], tempo=None, fps: Callable[[], float | None] | None = None,
              replaying: bool = False, osc_map: OscMap | Callable[[], OscMap] | None = None,
              words: CommandWords = SHOW_WORDS) -> list:
    """The OSC input (`--osc [HOST:]PORT`) and the state replies (`--osc-reply [HOST:]PORT`) as parts of a show, not
    started yet ([] with neither). Checked here, before anything opens: python-osc is installed, the addresses are
    written right, the map (`--osc-map`, else the show's `osc:` section) exists and names presets the show has.
    `controller` is the show's Controller or vcam cam's RemoteController (commands, state and its listeners);
    `tempo` an object with `bpm` and `beat()`, `fps` the frames made per second, where known. `osc_map`: the map
    `map_ref` names, where it was read already (read_map), so that the file is read once, or a function giving the
    one in force (a reload of vcam run's show reads its file again). `words`: how the map and the messages' commands
    are read (vcam cam's: its files found by the server, and a quit told in its own words)."""
    if map_ref and listen is None:
        say("--osc-map is not used: no OSC input is opened without --osc [HOST:]PORT")
    if listen is None and reply is None:
        return []
    load_pythonosc()
    router: OscRouter | None = None
    if listen is not None and replaying:
        say("--osc is not used while a control log is replayed (the log's commands are the show's)")
    taking = listen is not None and not replaying
    # the map read first: a map that cannot be read refuses the start before anything else is made
    mapping = _mapping(map_ref, show, controller, osc_map, say, words) if taking else None
    # the replies read the router's faders and hands only once started, after the router is made below
    replies = None
    if reply is not None:
        replies = _replies(reply, taking, controller, say, tempo, fps, replaying,
                           faders=(lambda: router.mapping) if taking else None,
                           moving=(lambda address, host=None: router.moving(address, host)) if taking else None)
    if taking:
        router = OscRouter(mapping, controller, answers=replies, words=words)
    parts: list = []
    if router is not None:
        host, port = parse_address(listen)
        if replies is not None and replies.host is not None:
            _say_if_unreachable(host, port, replies.host, say)
        parts.append(OscInput(host, port, router.handle, say, swept=router.swept,
                              heard=replies.heard if replies is not None else None,
                              own=replies.own if replies is not None else None))
    return parts + ([replies] if replies is not None else [])


def _replies(reply: str, taking: bool, controller, say: Callable[[str], None], tempo,
             fps: Callable[[], float | None] | None, replaying: bool, faders: Callable[[], OscMap] | None,
             moving: Callable[..., bool] | None):
    """The state replies `--osc-reply` asks for, told of every change, with the faders of the input's map (None
    where there is no input); None where they would go nowhere (a port alone, with no input while a log replays)."""
    from vcam.control.oscreply import OscReplies

    host, port = parse_reply(reply)
    if host is None and not taking and replaying:
        say(f"--osc-reply {reply} is not used while a control log is replayed: it answers OSC senders, and --osc "
            "is not used")
        return None
    if host is None and not taking:
        raise VcamError(f"--osc-reply {reply} sends the state to each machine that sends OSC here, and no OSC "
                        "input is open", "give --osc [HOST:]PORT too, or the tablet's address: --osc-reply "
                                         f"HOST:{port}")
    replies = OscReplies(host, port, controller.snapshot, say, tempo, fps,
                         faders=faders, moving=moving)
    controller.listeners.append(replies.changed)
    if tempo is not None and hasattr(tempo, "listen"):
        tempo.listen(replies.changed)
    return replies


def _say_if_unreachable(host: str, port: int, reply_host: str, say: Callable[[str], None]) -> None:
    """The input listens on this machine only while the state goes to another: that one's messages (a tablet's)
    cannot reach the input, the likely slip of `--osc 8000 --osc-reply TABLET:9000`."""
    if is_loopback(host) and not is_loopback(reply_host):
        say(f"OSC: listening on {written(host, port)}, this machine only, while the state goes to {reply_host}: its "
            f"messages cannot reach vcam; give --osc 0.0.0.0:{port} to take them")


def _mapping(map_ref: str | None, show, controller, osc_map: OscMap | Callable[[], OscMap] | None,
             say: Callable[[str], None] | None = None,
             words: CommandWords = SHOW_WORDS) -> OscMap | Callable[[], OscMap | None] | None:
    """The map named on the command line (`osc_map` where it was read already), else the show's `osc:` section as
    the show file has it now."""
    if not map_ref:
        return (lambda: getattr(controller.show, "osc", None)) if show is not None else None
    return osc_map if osc_map is not None else read_map(map_ref, show, say=say, words=words)


def read_map(map_ref: str, show, *, say: Callable[[str], None] | None = None,
             words: CommandWords = SHOW_WORDS) -> OscMap:
    """The map `--osc-map` names, read and checked: VcamError when it names presets `show` (where given) lacks.
    `words` reads its commands: `whole_paths`, its buttons' `input file:`/`image:` found next to it and made whole
    (oscmap.read_map), or kept as written, for a server to find in its shared folders; `typed_only`, what a button's
    command only the console gives is told. Keyword-only: a call written when `whole_paths` came third fails, where
    it would pass it as `say`."""
    return read_map_file(map_ref, show, say=say, words=words)[1]


def read_map_file(map_ref: str, show, *, say: Callable[[str], None] | None = None,
                  words: CommandWords = SHOW_WORDS) -> tuple[Path, OscMap]:
    """read_map's map with the file it was read from; `say` hears its notes (what reads but does nothing as
    written), as --midi-map's are said."""
    from vcam.control.oscmap import map_named, missing_presets

    path, mapping = map_named(map_ref, words)
    for note in mapping.notes if say is not None else ():
        say(note)
    if show is not None and (problems := missing_presets(show, mapping)):
        raise VcamError(f"OSC map {path} does not fit this show: "
                        + "; ".join(f"line {line}: {problem}" for _, line, problem in problems),
                        f"name the show's presets and cues in {path} as the show does "
                        "(a preset may be named by its number there)")
    return path, mapping
