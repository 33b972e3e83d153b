"""Races between vcam's threads, each provoked at its critical point: one thread held there (a threading.Event in a
test double) while the other does what it did in the show, so that the test fails the same way every run where the
two are not kept apart."""
from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from fake_capture import FakeCapture, FakeDevice, HandedFrames
from vcam.inspec import InputSpec
from vcam.live.inputs import CameraSource, InputSwitch
from vcam.remote.uploader import Uploader

W, H = 32, 24
WAIT_S = 10.0  # a safety bound: every wait below ends on its event long before


def hold_first_read(cap: FakeCapture, holding: threading.Event, go: threading.Event) -> None:
    """The capture's first read sets `holding`, then waits for `go`: its thread is held mid-open, where a race
    happens; later reads are the capture's own."""
    read = cap.read

    def held_read():
        holding.set()
        go.wait(WAIT_S)
        cap.read = read
        return read()

    cap.read = held_read


class ExclusiveDevice(FakeDevice):
    """A camera one reader at a time (V4L2 streams to one, Windows' cameras are exclusive): opened while another
    capture holds it, it is busy (not opened). The first read of the capture that `holder` opens waits until
    `arrived` is set: the other thread has reached the device, or the lock kept from it."""

    def __init__(self, holder: str):
        super().__init__()
        self.holder = holder
        self.arrived = threading.Event()
        self.holding = threading.Event()  # the holder's capture is open and reading

    def open(self, target: str) -> FakeCapture:
        me = threading.current_thread().name
        if me != self.holder:
            self.arrived.set()
        busy = self.open_captures() > 0
        cap = super().open(target)
        cap.opened = not busy
        if me == self.holder and not busy:
            hold_first_read(cap, self.holding, self.arrived)
        return cap


class Announcing:
    """The switch's camera lock, setting `arrived` as the thread other than `holder` asks for it."""

    def __init__(self, lock, device: ExclusiveDevice):
        self.lock, self.device = lock, device

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if threading.current_thread().name != self.device.holder:
            self.device.arrived.set()
        return self.lock.acquire(blocking, timeout)

    def release(self) -> None:
        self.lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def _run(name: str, fn) -> tuple[threading.Thread, list]:
    """`fn()` on a thread named `name`; what it returned or raised, in the list, once joined."""
    out: list = []

    def body():
        try:
            out.append(fn())
        except Exception as e:  # noqa: BLE001 - handed to the test
            out.append(e)

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread, out


def _switch(device: ExclusiveDevice) -> InputSwitch:
    switch = InputSwitch(W, H, open_capture=device.open)
    switch._camera = Announcing(switch._camera, device)
    return switch


def test_a_camera_checked_by_a_command_is_not_busy_for_the_stream_opening_it():
    """`input camera` typed twice (an OSC button sent on press and release): the second's check opened the device as
    the stream's thread opened it for the first, and that open found it busy: the camera never came on air while
    the status said it was on."""
    device = ExclusiveDevice(holder="command")
    switch = _switch(device)
    try:
        check, checked = _run("command", lambda: switch.check("camera:0"))
        assert device.holding.wait(WAIT_S)
        stream, opened = _run("generator", lambda: switch.open("camera:0"))
        for thread in (check, stream):
            thread.join(WAIT_S)
        assert checked == [InputSpec("camera", "0")]
        assert isinstance(opened[0], CameraSource), opened
    finally:
        switch.close()
    assert device.open_captures() == 0


def test_a_command_checking_the_camera_the_stream_opens_finds_it_on_air():
    """The other way round: a check made while the stream's thread opened the camera found it busy, and the
    operator was told the camera cannot be opened as it came on air."""
    device = ExclusiveDevice(holder="generator")
    switch = _switch(device)
    try:
        stream, opened = _run("generator", lambda: switch.open("camera:0"))
        assert device.holding.wait(WAIT_S)
        check, checked = _run("command", lambda: switch.check("camera:0"))
        for thread in (stream, check):
            thread.join(WAIT_S)
        assert isinstance(opened[0], CameraSource), opened
        assert checked == [InputSpec("camera", "0")], checked
        assert len(device.opened) == 1  # the check found it on air: it opened nothing
    finally:
        switch.close()


# --- vcam cam's upload: a refused client's ask again against a reconnect's --------------------------------------

class _Frames(HandedFrames):
    """A capture whose reads the test hands in (None: its end)."""

    def __init__(self):
        super().__init__(WAIT_S)
        self.reads = threading.Semaphore(0)  # released as each read starts

    def read(self):
        self.reads.release()
        return super().read()


def test_a_refused_uploader_asking_again_leaves_a_reconnects_send_ok_standing():
    """The capture thread looked at "refused" (its retry due), then asked again: where the link reconnected and the
    server said send_ok in between, the ask took the sending back to asking and sent a second ask, its frames
    numbered from 0 again."""
    now = [0.0]
    capture, sent = _Frames(), []
    at_point, go = threading.Event(), threading.Event()
    up = Uploader(capture, lambda line: None, clock=lambda: now[0], wall=lambda: now[0])

    def send(message):
        sent.append(message)
        if threading.current_thread().name == "capture":
            at_point.set()  # the ask again made in one step: the reconnect comes after it
        return True

    up.bind(send, lambda: 0.0)
    connected = up.connected

    def held_connected():
        if threading.current_thread().name == "capture":  # the ask again, past its look at the state
            at_point.set()
            go.wait(WAIT_S)
        connected()

    up.connected = held_connected
    up.answer({"type": "send_refused", "message": "another client sends"})
    now[0] += Uploader.RETRY_S  # the retry is due
    up.start()
    try:
        assert capture.reads.acquire(timeout=WAIT_S)
        capture.frames.put(np.zeros((16, 16, 3), np.uint8))
        assert at_point.wait(WAIT_S)
        # the link's thread: the connection dropped and came back, its ask answered
        up.disconnected()
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
        go.set()
        assert capture.reads.acquire(timeout=WAIT_S)  # the capture thread is past its ask again, reading on
        assert up.state == "sending"
        asks = [m for m in sent if isinstance(m, str) and json.loads(m)["type"] == "send"]
        assert len(asks) == 2  # the retry's, which came first, and the reconnect's: none after the send_ok
    finally:
        capture.frames.put(None)
        go.set()
        up.stop()


# --- a replay's end: the producer's last block against the camera's tick ----------------------------------------

class _TwoBlocks:
    """A stream whose second block waits for `second` (the first's frames played meanwhile)."""

    def __init__(self):
        self.second = threading.Event()
        self.made = 0

    def next_block(self):
        if self.made == 1:
            assert self.second.wait(WAIT_S)
        self.made += 1
        return np.zeros((4, 8, 8, 3), np.uint8)


def test_a_replay_ends_once_its_last_block_is_played_not_as_it_arrives():
    """The generator pushes its last block and stops; the loop read the frames waiting as of the camera's last
    tick, from before that push: a drained buffer (generation slower than the camera) read as the replay played
    out, and the show ended without its last block, missing from the recording."""
    from helpers import wait_for
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.live.producer import Generator

    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0), clock=lambda: now[0])
    stream = _TwoBlocks()
    gen = Generator(lambda report: stream, pacer, lambda line: None)
    gen.limit = 2  # a replay's: the log's blocks
    feed = ModelFeed(gen, lambda line: None, "on air", lambda: None, lambda: "live")
    gen.start()
    try:
        assert wait_for(lambda: pacer.stats.pushed == 4, WAIT_S)
        while pacer.stats.buffered > 0 or pacer.stats.ticks < 2:  # the first block played: its last frame held
            now[0] += 1 / 30
            pacer.tick()
        stream.second.set()  # the last block, pushed between two ticks
        assert wait_for(lambda: gen.state == "stopped", WAIT_S)
        assert not feed.poll(pacer.stats), "the replay ended with its last block still to play"
        for _ in range(200):
            now[0] += 1 / 30
            pacer.tick()
            if feed.poll(pacer.stats):
                break
        assert pacer.waiting() <= 0 and feed.poll(pacer.stats)  # played out: it ends
    finally:
        stream.second.set()
        gen.stop()


# --- the stream's thread never waits for a command's check ----------------------------------------------------

class HeldDevice(FakeDevice):
    """A camera whose first read waits for `go`: a check (or an open) that takes seconds, held at `holding`."""

    def __init__(self):
        super().__init__()
        self.holding, self.go = threading.Event(), threading.Event()
        self.held = True

    def open(self, target: str) -> FakeCapture:
        cap = super().open(target)
        if self.held:
            self.held = False
            hold_first_read(cap, self.holding, self.go)
        return cap


def test_the_stream_keeps_its_input_while_a_command_checks_a_camera():
    """A check of a camera that answers slowly (a bad USB hub: seconds in its open) held the lock the stream's
    thread took to put a camera on air, and the show froze until the check was done: the stream's open is told
    the switch is busy at once, its input on air unchanged, and opens the camera once the check is over."""
    from vcam.control.actions import InputBusy

    device = HeldDevice()
    switch = InputSwitch(W, H, open_capture=device.open)
    try:
        check, checked = _run("command", lambda: switch.check("camera:1"))
        assert device.holding.wait(WAIT_S)
        try:
            switch.open_now("camera:0")
        except InputBusy:
            pass
        else:
            raise AssertionError("the stream's open waited for the check, or opened the camera beside it")
        assert switch.spec == InputSpec("none") and switch.source is None  # nothing changed
        device.go.set()
        check.join(WAIT_S)
        assert checked == [InputSpec("camera", "1")]
        assert isinstance(switch.open_now("camera:0"), CameraSource)  # the check over: the next block's try
    finally:
        device.go.set()
        switch.close()


def test_a_check_gives_up_on_a_camera_the_stream_cannot_finish_opening():
    """A camera that hangs in its open on the stream's thread (a v4l2loopback device nobody writes to): a command
    checking a camera meanwhile waited as long, and with it every command after it (the controller's lock): it is
    answered that the camera is not checked, to send it again."""
    from vcam.live.inputs import InputError

    device = HeldDevice()
    switch = InputSwitch(W, H, open_capture=device.open, check_wait_s=0.01)
    try:
        stream, opened = _run("generator", lambda: switch.open("camera:0"))
        assert device.holding.wait(WAIT_S)
        try:
            switch.check("camera:1")
        except InputError as e:
            assert "send the command again" in str(e)
        else:
            raise AssertionError("the check opened the camera beside the stream's open")
        device.go.set()
        stream.join(WAIT_S)
        assert isinstance(opened[0], CameraSource), opened
    finally:
        device.go.set()
        switch.close()


class _Blocks:
    """A stream of one-frame blocks whose inputs are recorded (`seen`: those set before each block); `made` is
    released as each block is made."""

    def __init__(self):
        self.inputs: list = []
        self.seen: list[list] = []
        self.made = threading.Semaphore(0)
        self.go = threading.Semaphore(0)  # a block is made once the test lets it

    def set_input(self, source, strength=None):
        self.inputs.append(source)

    def next_block(self):
        self.seen.append(list(self.inputs))
        assert self.go.acquire(timeout=WAIT_S)
        self.made.release()
        return np.zeros((1, 8, 8, 3), np.uint8)


def _generator(opener):
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.live.producer import Generator

    stream = _Blocks()
    gen = Generator(lambda report: stream, Pacer(PacerSettings(fps=30.0)), lambda line: None, open_input=opener)
    applied: list = []
    gen.on_applied(lambda action, block, origin: applied.append((action, block)))
    return gen, stream, applied


def test_an_input_the_switch_is_busy_for_goes_on_air_at_the_next_block():
    from vcam.control.actions import InputBusy, SetInput

    busy = [True]

    def opener(spec):
        if busy[0]:
            busy[0] = False
            raise InputBusy(spec)
        return f"source {spec}"

    gen, stream, applied = _generator(opener)
    gen.submit(SetInput("camera:0"))
    gen.start()
    try:
        for _ in range(2):
            stream.go.release()
            assert stream.made.acquire(timeout=WAIT_S)
        # block 0 made on the input on air (the open was busy, and did not wait), block 1 on the camera
        assert stream.seen[:2] == [[], ["source camera:0"]]
        assert applied == [(SetInput("camera:0"), 1)]  # logged at the block it went on air
    finally:
        gen.stop(0.0)
        for _ in range(3):
            stream.go.release()
        gen.stop(WAIT_S)


@pytest.mark.parametrize("later_at", [None, 1], ids=["same-block", "next-block"])
def test_an_input_held_back_by_a_busy_switch_gives_way_to_a_later_one(later_at):
    """`input camera` then `input file:b.mp4` while a check holds the camera: the file, typed last, stays on air;
    the camera, tried again after it, took its place."""
    from vcam.control.actions import InputBusy, SetInput

    busy = [True]

    def opener(spec):
        if spec == "camera:0" and busy[0]:
            busy[0] = False  # free from the next block on: the camera held back would open then
            raise InputBusy(spec)
        return f"source {spec}"

    gen, stream, applied = _generator(opener)
    gen.submit(SetInput("camera:0"))
    gen.submit(SetInput("file:b.mp4"), at_block=later_at)
    gen.start()
    try:
        for _ in range(3):
            stream.go.release()
            assert stream.made.acquire(timeout=WAIT_S)
        assert stream.inputs == ["source file:b.mp4"]
        assert applied == [(SetInput("file:b.mp4"), later_at or 0)]
    finally:
        gen.stop(0.0)
        for _ in range(3):
            stream.go.release()
        gen.stop(WAIT_S)
