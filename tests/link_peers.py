"""Two Ableton Link sessions on this machine's loopback: a peer (another app, as Live would be) and the show's
LinkSession feeding its Tempo. Run by tests/test_tempo.py inside a network namespace of its own (only loopback,
brought up here), so that it neither finds nor disturbs Link sessions on the real network. Prints one JSON line."""
import asyncio
import fcntl
import json
import socket
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.control.abletonlink import LinkSession  # noqa: E402
from vcam.control.tempo import Tempo  # noqa: E402

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
TIMEOUT_S = 30.0


def loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


class Peer:
    """Another app in the session, on an asyncio loop of its own."""

    def __init__(self, bpm: float):
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(bpm,), daemon=True)
        self.thread.start()
        self.ready.wait(TIMEOUT_S)

    def _run(self, bpm: float) -> None:
        asyncio.set_event_loop(self.loop)

        async def make():
            from aalink import Link

            self.link = Link(bpm)
            self.link.quantum = 4
            self.link.enabled = True
            self.ready.set()

        self.loop.run_until_complete(make())
        self.loop.run_forever()

    def call(self, fn):
        async def run():
            return fn(self.link)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(TIMEOUT_S)

    def close(self) -> None:
        def disable(link):
            link.enabled = False

        self.call(disable)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(TIMEOUT_S)


def came(predicate) -> bool:
    """Whether `predicate` held within TIMEOUT_S."""
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def wait(predicate) -> None:
    if not came(predicate):
        raise SystemExit("timed out waiting for the Link sessions")


def main() -> None:
    loopback_up()
    result = {}
    peer = Peer(90.0)
    tempo = Tempo()
    session = LinkSession(tempo, lambda s: print(s, file=sys.stderr))
    session.start()
    try:
        wait(lambda: tempo.source == "link")
        # the session one of the two had (90 or 120 bpm: Link decides which, not who came first)
        wait(lambda: abs(tempo.bpm - peer.call(lambda link: link.tempo)) < 0.01)
        result["joined"] = [tempo.source, tempo.bpm, peer.call(lambda link: link.tempo)]

        def set_tempo(link):
            link.tempo = 133.0

        peer.call(set_tempo)
        wait(lambda: tempo.bpm is not None and abs(tempo.bpm - 133) < 0.01)
        result["followed"] = [tempo.source, tempo.bpm]

        tempo.set_bpm(100, "bpm")
        wait(lambda: abs(peer.call(lambda link: link.tempo) - 100) < 0.01)
        result["peer_took"] = peer.call(lambda link: link.tempo)
        wait(lambda: abs(tempo.bpm - 100) < 0.01)

        mine = tempo.beat()
        theirs = peer.call(lambda link: link.beat)
        later = tempo.beat()
        result["beat_gap"] = theirs - (mine + later) / 2

        peer.close()
        wait(lambda: session.peers == 0)
        # the session silent for QUIET_S lets the tempo by hand apply (when exactly: on the fake clocks of
        # test_tempo.py); awaited, as a busy machine makes the silence longer
        came(lambda: tempo.source == "bpm")
        result["alone"] = tempo.source
    finally:
        session.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
