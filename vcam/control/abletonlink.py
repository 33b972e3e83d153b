"""Ableton Link (--link, through the aalink package): the show joins the Link session on the local network.

While the session has other peers, its tempo and beat are the show's (tempo source "link"); alone, it lets the next
source apply from the moment its last other peer leaves, as it says then (see vcam.control.tempo). A tempo the
operator sets here (bpm, tap, OSC) becomes the session's, so the DAW and the other peers follow it. aalink runs on
an asyncio loop: it gets its own thread.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from vcam.control.tempo import Tempo
from vcam.errors import described
from vcam.words import counted

POLL_S = 0.05  # how often the session's tempo and beat are read (the tempo's silence limit is 2 s)
DEFAULT_BPM = 120.0
START_S = 10.0  # the longest start() waits for the session to open


class LinkSession:
    """A show's part (start/stop). `make_link(bpm)` makes the Link object on the session's running loop (an
    aalink.Link by default; tests pass a stand-in with the same attributes: enabled, quantum, num_peers, tempo,
    beat)."""

    what = "the Ableton Link session"  # as the show's end names it where its stop fails

    def __init__(self, tempo: Tempo, say: Callable[[str], None], make_link: Callable[[float], object] | None = None,
                 poll: float = POLL_S):
        if make_link is None:  # aalink's Link, made on the session's loop (it needs a running one)
            from aalink import Link  # missing: said now, before the show opens anything (the extra is named)

            make_link = Link
        self.tempo = tempo
        self.say = say
        self.make_link = make_link
        self.poll = poll
        self.peers = 0
        self.link = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="link", daemon=True)
        tempo.follow(self._adopt)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(START_S):
            raise RuntimeError(f"the Link session did not open in {START_S:g} s")
        if self._error is not None:
            raise self._error
        self.say("Link: on; the tempo follows the session once another peer joins (Ableton Live, a phone app …)")

    def stop(self) -> None:
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop has ended already
                pass
        if self._thread.ident is not None:
            self._thread.join(5.0)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as e:  # noqa: BLE001 - given to start(), which raises it on the caller's thread
            if self._ready.is_set() and self._error is None:  # on air: start() has returned, nobody would raise it
                self.say(f"Link: the session stopped ({described(e)}); the tempo stays as it is; restart vcam to "
                         "follow the session again")
            self._error = e
            self._ready.set()

    async def _main(self) -> None:
        self._stopping = asyncio.Event()
        link = self.make_link(self.tempo.bpm or DEFAULT_BPM)
        link.quantum = self.tempo.beats_per_bar  # bars line up with the other peers'
        link.enabled = True
        self.link = link
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        try:
            while not self._stopping.is_set():
                self._read(link)
                try:
                    await asyncio.wait_for(self._stopping.wait(), self.poll)
                except asyncio.TimeoutError:
                    pass
        finally:
            link.enabled = False
            self.link = None

    def _read(self, link) -> None:
        peers = link.num_peers
        if peers != self.peers:
            self.peers = peers
            if peers:
                self.say(f"Link: {counted(peers, 'other peer')} in the session")
            else:
                self.tempo.hush("link")  # the next source applies now, as said, not when the grid has gone quiet
                self.say(f"Link: no other peer left; {self._tempo_once_alone()}")
        if peers and link.enabled:
            beat = link.beat
            self.tempo.set_bpm(link.tempo, "link", (self.tempo.clock(), beat))

    def _tempo_once_alone(self) -> str:
        """Where the tempo comes from once the session has no other peer, in words."""
        got = self.tempo.grid()
        if got is None or got[0] == "link":  # nothing else: the session's last grid goes on
            bpm = f" ({got[1].bpm:.1f} bpm)" if got is not None else ""
            return f"the beat goes on at the session's last tempo{bpm} until a peer joins or a tempo is set"
        return f"the {got[0]} tempo applies now ({got[1].bpm:.1f} bpm)"

    def _adopt(self, bpm: float, source: str) -> None:
        """The operator's tempo becomes the session's (on the session's thread: aalink is not shared)."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._set_session_tempo, bpm)
        except RuntimeError:  # the loop has ended
            pass

    def _set_session_tempo(self, bpm: float) -> None:
        if self.link is not None:
            self.link.tempo = bpm
