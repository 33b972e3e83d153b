"""What `vcam serve` answers each text message of a client (a ping, its latency, a command, asking to send), and
what it says on its own terminal of what a client was refused.

Apart from the server because these are the protocol's requests one by one: the server only reads messages off
the connection and offers the answers back.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from vcam.control.commands import CommandError, parse
from vcam.control.sources import TYPED, typed_by_hand
from vcam.control.media import Refused
from vcam.control.throttle import ErrorThrottle, words_of
from vcam.remote import protocol as proto
from vcam.remote.controller import finite_number
from vcam.remote.served import ServedClient


def answer(server, message: str, client: ServedClient, state: Callable[[], dict] | None = None) -> str | None:
    """The answer to one text message of `client`, None where there is none. `server` (a FrameServer) gives the
    show's side: its handle_line, state, intake and say, looked up now (a stop or a test may replace them);
    `state`, where given, reads the state a command's reply carries in place of server.state."""
    try:
        data = proto.parse_text(message)
    except proto.ProtocolError as e:
        return proto.text("error", message=str(e))
    kind = data["type"]
    if kind == "ping":
        gaps = getattr(server, "block_gaps", None)
        usual = gaps.usual() if gaps is not None else None
        # its time echoed only where it is a finite number: 1e400 came back as Infinity, which no JSON holds
        t = data.get("t") if finite_number(data.get("t")) else None
        # the server's clock for the camera's offset: monotonic, as frames and uploads are stamped (encoding.py,
        # intake.py); a camera only ever takes differences of it, so any vcam reads it
        return proto.text("pong", t=t, server=time.monotonic(), acks=True,
                          **({"block_s": round(usual, 3)} if usual is not None else {}))
    if kind == "got":  # not answered: one comes for each frame, and an answer would be one more message down
        seq = data.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            return proto.text("error", message='a got message needs the "seq" of a frame')
        client.got(seq)
        return None
    if kind == "stats":
        latency = data.get("latency")
        if not isinstance(latency, (int, float)) or not 0 <= latency < proto.MAX_LATENCY_S:
            return proto.text("error", message='a stats message needs a "latency" in seconds')
        client.latency = float(latency)
        return proto.text("ok")
    if kind == "command":
        return _command(server, data, client, state or server.state)
    if kind == "send":
        return server.intake.ask(client)
    if kind == "send_stop":
        server.intake.stop(client)
        return proto.text("ok")
    return proto.text("error", message=f"unknown message type {kind!r}")


def _command(server, data: dict, client: ServedClient, state: Callable[[], dict]) -> str:
    line = data.get("line")
    if not isinstance(line, str):
        return proto.text("error", message='a command message needs a "line" string')
    if client.role != "control" and not _reads_only(line):
        refused(client, "a command: it only watches (role=watch)", server.say)
        return proto.text("error", message=WATCH_ONLY)
    try:  # the state goes out to all after it
        reply = server.handle_line(line, command_source(client.name, data.get("typed") is True))
    except Refused as e:  # the client hears what to do, the operator what it asked for here
        refused(client, e.detail, server.say)
        reply = f"error: {e}"
    return proto.text("reply", text=reply or "", state=state())


def command_source(name: str, typed: bool) -> str:
    """The source a client's command is applied and logged under: `net NAME`, and `net NAME stdin` for a line its
    operator typed by hand at vcam cam's console ("typed": true in its message), whose failure on air that client
    is told each time, as this console's own is said each time."""
    return f"net {name} {TYPED}" if typed else f"net {name}"


def sender_of(source: str) -> tuple[str, bool] | None:
    """The client a change came from (its name, and whether its line was typed by hand), from the source
    `command_source` made; None for any other source (this console, MIDI, OSC, a cue, the uploads' `net`)."""
    if not source.startswith("net "):
        return None
    name, typed = source[len("net "):], typed_by_hand(source)
    return (name[:-len(TYPED) - 1] if typed else name), typed


# A watcher's command, refused: what it may do instead, or it hears the same line for every key it presses.
# Any role but control watches (?role=viewer, ?role=Control): the way to steer names no role it may not hold.
WATCH_ONLY = ("this client only watches (its address asks ?role=watch, or a role other than control): status "
              "answers, nothing else; to steer the show, connect with no ?role= in the address")


def _reads_only(line: str) -> bool:
    """Whether `line` only asks the show's state (`status`): a watcher may read what it watches."""
    try:
        cmd = parse(line, network=True)  # a watcher's path is not looked for here, as any client's
    except CommandError:
        return False
    return cmd is not None and cmd.name == "status"


def refused(client: ServedClient, what: str, say: Callable[[str], None]) -> None:
    """Says on the server's terminal what a client was refused: it hears only its own reply. Held back by what
    was refused, its numbers left out (a knob turned through a replayed show is refused a line for each value),
    so a count of the ones held back is said with the words of the last."""
    _say_refused(client, what, client.refusals, ("refused", words_of(what)), say)


def refused_input(client: ServedClient, what: str, say: Callable[[str], None]) -> None:
    """The same for the input (Intake's `refused`): a new reason (another client sends now) is said at once."""
    _say_refused(client, what, client.asks_refused, (what,), say)


def _say_refused(client: ServedClient, what: str, throttle: ErrorThrottle, key: tuple,
                 say: Callable[[str], None]) -> None:
    if line := throttle.admit(key, f"client {client.name} was refused {what}", time.monotonic()):
        say(line)
