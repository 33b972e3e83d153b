"""The close frames `vcam serve` sends: the show's end to every client as it stops, a dropped client's reason.

Apart from the server because a close waits behind a send in progress, and a client that does not read would hold
the stop, or the handler, for good: each close here is bounded in time, and that bound is this module's job.
"""
from __future__ import annotations

import threading
import time

from vcam.remote import protocol as proto
from vcam.remote.intake import Dropped
from vcam.remote.served import ServedClient


def say_goodbye(clients: list[ServedClient], wait_s: float) -> None:
    """Each client's close frame says the show ended (its vcam cam says so, not "connection lost"), all at
    once; a client that does not read is not waited for past `wait_s` (its socket is cut after)."""
    threads = [threading.Thread(target=say_goodbye_to, args=(c.ws,), name=f"bye-{c.name}", daemon=True)
               for c in clients]
    for t in threads:
        t.start()
    deadline = time.monotonic() + wait_s
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))


def say_goodbye_to(ws) -> None:
    """A client's close frame saying the show ended."""
    try:
        ws.close(proto.GOING_AWAY, proto.STOPPED)
    except Exception:
        pass


def drop(client: ServedClient, e: Dropped, wait_s: float) -> None:
    """Closes a client's connection with the reason in the close frame, which its vcam cam prints; its socket is
    shut after `wait_s` where the close cannot go."""
    # the close waits behind a send in progress: a client that does not read would hold it
    timer = threading.Timer(wait_s, client.cut)
    timer.start()
    try:
        client.ws.close(e.code, e.reason.encode()[:120].decode(errors="ignore"))  # a close reason's limit
    except Exception:
        pass
    finally:
        timer.cancel()
