"""The hand-over between threads where the sender never waits: the oldest item goes when full, and closing hands
out what waits (or says how much never will be)."""
import threading

from vcam.live.mailbox import Mailbox


def test_a_full_mailbox_drops_the_oldest_and_counts_it():
    box = Mailbox(2)
    for item in (1, 2, 3):
        box.put(item)
    assert box.dropped == 1 and len(box) == 2
    assert [box.get(), box.get()] == [2, 3]


def test_cleared_items_are_not_counted_as_dropped():
    box = Mailbox(3)
    box.put(1)
    box.put(2)
    assert box.clear() == 2 and len(box) == 0 and box.dropped == 0


def test_closed_with_drain_the_rest_is_handed_out_then_none():
    box = Mailbox(3)
    box.put(1)
    box.put(2)
    assert box.close() == 0
    assert [box.get(), box.get(), box.get()] == [1, 2, None]


def test_closed_without_drain_nothing_more_is_handed_out_and_what_waited_is_counted():
    box = Mailbox(3)
    box.put(1)
    box.put(2)
    assert box.close(drain=False) == 2
    assert box.get() is None


def test_get_waits_for_an_item_from_another_thread_and_gives_none_once_closed():
    box: Mailbox[int] = Mailbox(1)
    got: list = []
    waiting = threading.Thread(target=lambda: got.extend([box.get(), box.get()]))
    waiting.start()
    box.put(7)
    box.close()
    waiting.join(10.0)
    assert not waiting.is_alive() and got == [7, None]


class Watched(threading.Condition):
    """The mailbox's condition, telling each wait as it begins; `spurious` waits return at once, the first of them
    with nothing put (as a condition may wake), the next with the item `then` put meanwhile."""

    def __init__(self, box=None, spurious=0, then=None):
        super().__init__()
        self.waits = threading.Semaphore(0)
        self.box, self.spurious, self.then = box, spurious, then

    def wait(self, timeout=None):
        self.waits.release()
        if self.spurious:
            self.spurious -= 1
            if not self.spurious and self.then is not None:
                self.box._items.append(self.then)
            return True
        return super().wait(timeout)


def test_a_waiting_get_wakes_for_a_put():
    box: Mailbox[int] = Mailbox(1)
    box._cond = cond = Watched()
    got: list = []
    waiting = threading.Thread(target=lambda: got.append(box.get()), daemon=True)
    waiting.start()
    assert cond.waits.acquire(timeout=10.0)  # it waits now
    box.put(7)
    waiting.join(10.0)
    assert not waiting.is_alive() and got == [7]


def test_a_wake_with_nothing_put_is_no_close():
    box: Mailbox[int] = Mailbox(1)
    box._cond = Watched(box, spurious=2, then=5)
    assert box.get() == 5


def test_closing_wakes_every_waiting_get():
    box: Mailbox[int] = Mailbox(1)
    box._cond = cond = Watched()
    got: list = []
    waiting = [threading.Thread(target=lambda: got.append(box.get()), daemon=True) for _ in range(2)]
    for thread in waiting:
        thread.start()
    assert cond.waits.acquire(timeout=10.0) and cond.waits.acquire(timeout=10.0)
    box.close()
    for thread in waiting:
        thread.join(10.0)
    assert not any(thread.is_alive() for thread in waiting) and got == [None, None]
