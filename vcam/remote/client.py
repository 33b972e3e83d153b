"""`vcam cam ws://HOST:PORT`: frames from a `vcam serve` into the local virtual camera, commands back to it.

Light: no torch, no GPU. It paces the received frames into the local outputs, runs the local stdin console and
MIDI controller, and reconnects by itself after a network drop, holding the last frame (or the fallback image)
on the camera meanwhile. With --send it also uploads a local camera or clip as the server's input (uploader.py).

Here: the command line's options and the run. Its parts: the connection and its reconnects (link.py), opening a
try's socket (dial.py), the server's messages read (inbox.py), what a server must send first (handshake.py), the
frames gathered into blocks (blocks.py), what goes on air and on the status line (feed.py), the server's controller
mirrored here (controller.py), the commands held for the server (pending.py), the server's address (urls.py) and why
a try failed (reasons.py).
"""
from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vcam.control.midi import NO_MIDI
from vcam.control.midimap import MidiMap
from vcam.errors import VcamError
from vcam.inspec import parse_input
from vcam.live.fallbacks import FallbackImages
from vcam.live.onair import AirSettings, OnAir
from vcam.live.outputs import parse_spec
from vcam.live.outputs.paths import OlderTakes, check_outputs, given_output
from vcam.live.pacer import Pacer
from vcam.live.signals import stop_code, stop_said
from vcam.live.status import StatusLine
from vcam.remote.camquit import CAM_WORDS
from vcam.remote.camscreen import CamScreen
from vcam.remote.controller import RemoteController
from vcam.remote.feed import FIRST_FRAME_WAIT_S, LinkFeed
from vcam.remote.link import Link
from vcam.remote.protocol import TOKEN_ENV
from vcam.remote.uploader import Uploader, open_capture
from vcam.remote.urls import asks_to_watch, cam_command, check_url, said_url
from vcam.words import plain


DEFAULT_SIZE = (832, 480)  # the outputs' size where --size is not given: they open before the server is reached


@dataclass
class CamOptions:
    url: str
    token: str | None = None
    outs: list[str] = field(default_factory=lambda: ["vcam"])
    size: tuple[int, int] | None = None  # output size (None: DEFAULT_SIZE)
    fps: float = 30.0
    fit: str = "letterbox"
    smooth: str | None = None  # "fade" or "flow": in-between frames made here, on the camera's machine
    duration: float | None = None
    first_frame_wait: float = FIRST_FRAME_WAIT_S  # with --duration: the least wait for a first frame
    max_latency: float = 4.0
    fallback: str | None = None
    stdin: bool = True
    midi: str | None = None
    midi_map: str | None = None
    send: str | None = None  # camera, camera:N, camera:/dev/videoN or file:PATH: uploaded as the server's input
    osc: str | None = None  # --osc [HOST:]PORT: OSC in, its commands to the server
    osc_reply: str | None = None  # --osc-reply HOST:PORT: the server's state goes there
    osc_map: str | None = None
    commands: object = field(default=None, repr=False)
    commands_read: threading.Event | None = field(default=None, repr=False)  # set as the console starts reading
    status_out: object = field(default=None, repr=False)


def _check_written(specs: list, fallback: str | None, send: str | None) -> None:
    """As vcam run checks its outputs before anything opens: a recording that cannot be made, two outputs on one
    file or one camera, or a recording over the fallback image or over the clip --send uploads (it replaced the
    clip as it was read) is refused. A recording over an older take is said later, as vcam run says it
    (OlderTakes): the fallback image, the MIDI map, --send's camera or the OSC port can still refuse the start
    after this check, and the older take is then kept."""
    reads = [("the fallback image", fallback)] if fallback else []
    try:
        sent = parse_input(send) if send else None
    except ValueError:  # no input at all: open_capture says so, with what --send takes
        sent = None
    if sent is not None and sent.kind == "file":
        reads.append((f"the clip --send {sent} uploads", sent.target))
    check_outputs(specs, [given_output(spec) for spec in specs if spec.kind == "file"], reads)


def run_cam(opts: CamOptions) -> int:
    """Runs the client until --duration (counted from the first frame), `quit`, Ctrl-C or SIGTERM; with
    --duration and no frame at all, until the longer of --duration and opts.first_frame_wait. Exit code 1 when
    no frame ever came; VcamError (exit 2) when the server refused the token before ever letting it in."""
    status = StatusLine(opts.status_out or sys.stderr)
    check_url(opts.url)
    if opts.send and asks_to_watch(opts.url):
        # the server refuses a watching client's input for as long as it is connected: the client asked again every
        # few seconds, uploading nothing, for the whole show
        raise VcamError(f"--send {opts.send} uploads as the server's input, which a client whose address asks "
                        f"?role= other than control may not: it only watches ({said_url(opts.url)})",
                        "leave ?role= out of the address to steer and send, or leave out --send to only watch")
    specs = [parse_spec(s) for s in opts.outs]
    _check_written(specs, opts.fallback, opts.send)
    width, height = opts.size or DEFAULT_SIZE
    # read as vcam run reads its own: an animation is said to show its first frame alone, where it showed still
    # without a word
    fallback = FallbackImages(width, height, show=False).get(opts.fallback, status.message) if opts.fallback else None
    midi_map = None
    # checked before anything opens: a refusal must not leave a camera open or a stub recording; --midi none opens
    # no input, as vcam run's does
    if opts.midi and opts.midi != NO_MIDI:
        from vcam.control.lateplug import require_midi_for
        from vcam.control.midimap import map_named

        require_midi_for()  # the controller itself may come later (MidiInput waits for it)
        if not opts.midi_map:
            raise ValueError("--midi needs --midi-map: nanokontrol2, midimix, apc-mini-mk2 or a map file")
        # the server finds its files; quit on a button is told this camera's words, as OSC's map's is
        _, midi_map = map_named(opts.midi_map, CAM_WORDS)
        for note in midi_map.notes:
            status.message(note)
    elif opts.midi_map:
        status.message("--midi-map is not used: no MIDI input is opened without --midi PORT")
    # before the outputs open, and before connecting: a missing file or camera is said first
    uploader = Uploader(open_capture(opts.send), status.message) if opts.send else None
    try:
        return _run_cam(opts, status, specs, width, height, fallback, midi_map, uploader)
    finally:
        if uploader is not None:
            uploader.stop()  # stopped by the link already unless something failed on the way


def _run_cam(opts: CamOptions, status: StatusLine, specs: list, width: int, height: int,
             fallback: np.ndarray | None, midi_map, uploader: Uploader | None) -> int:
    # the server's block length is said as its blocks come (remote.blocks), not taken to be the local model's
    air = OnAir(AirSettings(outs=specs, width=width, height=height, fps=opts.fps, fit=opts.fit, smooth=opts.smooth,
                            max_latency=opts.max_latency, block_frames=None, duration=opts.duration,
                            fallback=fallback, card=f"connecting to {said_url(opts.url)}...", stdin=opts.stdin,
                            commands=opts.commands, commands_read=opts.commands_read), status)
    link: Link | None = None
    quit_typed = threading.Event()

    def send(line: str, typed: bool = False) -> bool:
        if line == "quit":
            quit_typed.set()
            air.stop.set()
            return True
        return link.send_line(line, typed) if link else False

    remote = RemoteController(send, sending=opts.send is not None, send_typed=lambda line: send(line, typed=True))
    screen = cam_screen(air.pacer)
    link = Link(opts.url, opts.token, air.pacer, remote, status.message, uploader, screen, out_size=(width, height),
                fit=opts.fit)
    parts = cam_midi_parts(opts.midi, midi_map, remote, status.message) if midi_map is not None else []
    parts += _osc_parts(opts, remote, air, status.message)
    parts.append(OlderTakes(specs, status.message))  # last: said once nothing else can refuse the start
    feed = LinkFeed(link, opts.duration, opts.first_frame_wait)
    code = air.run(feed, remote.handle_line, screen, parts)
    if link.refused is not None:
        raise _refusal(opts, link.refused)
    if not air.pacer.stats.pushed:  # as the loop counts it: nothing went on air
        # A stop while the server still loads (or cannot be reached) is the operator's or the service manager's, not
        # a failure: as vcam run's while its model loads, Ctrl-C's code is an interrupted command's, another
        # signal's the show's own (it was 1, "no frame came")
        if air.stopped_by is not None:
            code = stop_code(air.stopped_by) if air.stopped_by == signal.SIGINT else code
        else:
            code = code or 1
        status.message(_no_frame_text(opts, link, feed, recorded=any(s.kind == "file" for s in specs),
                                      stopped_by=air.stopped_by, code=code))
        return code
    if not code and opts.duration is not None and air.stopped_by is None and not quit_typed.is_set():
        # the show's time is up, not a fault: it ended without a word, as if it had stopped by itself
        status.message(f"--duration {plain(opts.duration)} s played: this camera ends here; "
                       "the server's show goes on")
    return code


def cam_midi_parts(port: str, midi_map: MidiMap, remote: RemoteController, say: Callable[[str], None]) -> list:
    """The MIDI input on `port`, its commands sent to the server, and the lights of its controller, which follow the
    state the server sends back (its preset on air and screen mode), as vcam run's do."""
    from vcam.control.midi import MidiRouter
    from vcam.control.midileds import midi_parts

    return midi_parts(port, MidiRouter(midi_map, remote, say), remote, say)


def cam_screen(pacer: Pacer) -> CamScreen:
    """The camera's freeze and blackout, the server's made when the frame it names comes on through `pacer` (or,
    where that frame never comes here, on the first tick that shows a later one)."""
    screen = CamScreen(stalled=lambda: pacer.stats.stalled, showing=pacer.showing_placed,
                        pushed=pacer.pushed, telling=pacer.telling)
    pacer.on_frame_shown(screen.shown)
    return screen


def _osc_parts(opts: CamOptions, remote: RemoteController, air: OnAir, say: Callable[[str], None]) -> list:
    """OSC in (its commands go to the server) and the server's state out, as parts of the client."""
    from vcam.control.osc import osc_parts

    return osc_parts(opts.osc, opts.osc_reply, opts.osc_map, None, remote, say,
                     fps=lambda: air.pacer.stats.production_fps, words=CAM_WORDS)


def _no_frame_text(opts: CamOptions, link: Link, feed: LinkFeed, recorded: bool, stopped_by: int | None = None,
                   code: int = 1) -> str:
    if not link.ever_connected and link.answered:
        why = link.answered
    elif not link.ever_connected and link.broken:
        why = f"the server could not be used ({link.broken})"
    elif not link.ever_connected:
        why = f"it could not be reached ({link.unreachable})" if link.unreachable else "it could not be reached"
    elif link.frames:
        why = "connected, but no whole block of frames came"
    else:
        why = "connected, but it sent none (still loading its model?)"
    waited = ""
    if feed.gave_up:
        waited = (f" in {feed.gives_up_after:g} s (with --duration, a client waits for its first frame for "
                  f"{opts.first_frame_wait:g} s, or --duration if longer)")
    files = "; nothing was recorded" if recorded else ""  # an older take there is whole: it holds its own frames
    if stopped_by is not None:
        said = f"; exit code {code}" if code else ""
        return f"stopped ({stop_said(stopped_by)}) before any frame came from {said_url(opts.url)}: {why}{files}{said}"
    return f"no frame came from {said_url(opts.url)}{waited}: {why}{files}; exiting with code {code}"


def _refusal(opts: CamOptions, why: str) -> VcamError:
    if why == "missing token":
        return VcamError(f"{said_url(opts.url)} asks for a token and none was given",
                         f"{cam_command(opts.url)}, with the token vcam serve was "
                         f"given (or set {TOKEN_ENV})")
    return VcamError(f"{said_url(opts.url)} refused the token given",
                     f"pass the token vcam serve was given (its --token or {TOKEN_ENV}): {cam_command(opts.url)}")
