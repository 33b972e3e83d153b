"""`vcam cam --send`: a camera or a clip uploaded as `vcam serve`'s input, on loopback, with a server in this
process (no model) whose uploads go to a recorder."""
import io
import json
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from fake_capture import WEBCAM, FakeDevice, HandedFrames
from helpers import Pipe, wait_for, write_clip
from vcam.cli import main
from vcam.errors import VcamError
from vcam.inspec import InputSpec, parse_input
from vcam.remote import protocol as proto
from vcam.remote import uploader as uploader_module
from vcam.remote.client import CamOptions, run_cam
from vcam.remote.intake import ConsumptionRate, Intake
from vcam.remote.uploader import CvCapture, RateGate, Uploader, open_capture

SIZE = (64, 48)  # the stream's (width, height) in these tests
LEVELS = [20, 60, 100, 140, 180, 220]  # the grey of each of the test clip's frames


class Recorder:
    """Stands in for the show's LiveFrames: keeps what is pushed."""

    def __init__(self):
        self.frames: list[tuple[np.ndarray, float | None]] = []

    def push(self, frame, at=None):
        self.frames.append((frame, at))


class TtyText(io.StringIO):
    def isatty(self):  # every status line update is kept
        return True


def url_of(server):
    return f"ws://127.0.0.1:{server.port}"


@pytest.fixture
def intake_server(local_servers):
    """A server that takes uploads of SIZE into a recorder, and records its on_sender calls."""
    def make(**settings):
        uploads, events = Recorder(), []
        server = local_servers(uploads=uploads, on_sender=events.append, input_size=SIZE, **settings)
        server.uploads, server.events = uploads, events
        return server

    return make


@pytest.fixture
def clip(tmp_path):
    """A small clip (160x120, 30 fps) whose frames are flat greys, LEVELS in turn."""
    return write_clip(tmp_path / "clip.avi", count=30, size=(160, 120), levels=LEVELS, fps=30)


def publishing(server, until, timeout=60.0):
    """Publishes blocks (as a show would) until `until()`; whether it came."""
    block = np.full((12, SIZE[1], SIZE[0], 3), 90, np.uint8)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        server.publish(block)
        time.sleep(0.1)
    return until()


def connect(server, **kw):
    from websockets.sync.client import connect as ws_connect

    return ws_connect(url_of(server), proxy=None, open_timeout=30, close_timeout=1, max_size=2**24, **kw)


def next_text(ws, kinds, timeout=30.0):
    """The next text message of one of these kinds, skipping frames and the rest."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = ws.recv(timeout=timeout)
        if isinstance(m, str) and json.loads(m)["type"] in kinds:
            return json.loads(m)
    raise TimeoutError(kinds)


def an_input_frame(seq=0, size=SIZE, level=128):
    return proto.encode_input(np.full((size[1], size[0], 3), level, np.uint8), seq, time.time())


# --- vcam cam --send, end to end --------------------------------------------------------------------------------


def sending_cam(server, clip):
    """`vcam cam --send file:CLIP` in a thread: (its status text, its typed commands, its thread, its result)."""
    status, typed = TtyText(), Pipe()
    opts = CamOptions(url=url_of(server), outs=["null"], size=SIZE, send=f"file:{clip}", commands=typed.reader,
                      status_out=status)
    result = []
    thread = threading.Thread(target=lambda: result.append(run_cam(opts)), daemon=True)
    thread.start()
    return status, typed, thread, result


def test_a_clip_sent_by_vcam_cam_reaches_the_servers_uploads(intake_server, clip):
    server = intake_server()
    status, typed, thread, result = sending_cam(server, clip)
    try:
        def sending():
            text = status.getvalue()
            return len(server.uploads.frames) >= 12 and " KB/s | input 0." in text and "s old" in text

        assert publishing(server, sending), status.getvalue()
        described = server.describe()
    finally:
        typed.send("quit")
        thread.join(60)
    assert result == [0], status.getvalue()
    frames = server.uploads.frames
    assert all(f.shape == (SIZE[1], SIZE[0], 3) for f, _ in frames)  # sized to the stream by the client
    greys = {min(LEVELS, key=lambda level: abs(level - f.mean())) for f, _ in frames}
    assert len(greys) >= 3 and all(abs(f.mean() - min(LEVELS, key=lambda v: abs(v - f.mean()))) < 8
                                   for f, _ in frames)  # the clip's own frames, more than one of them
    now = time.monotonic()
    assert all(at is not None and now - 600 < at <= now for _, at in frames)  # capture times in the server's clock
    assert "sending file:" in status.getvalue() and "as the server's input (64x48" in status.getvalue()
    assert "input from 127.0.0.1:" in described and "KB/s" in described and "s old" in described
    assert wait_for(lambda: server.events == [True, False], 30), server.events  # on with a frame, off at quit
    assert any("stopped sending the input" in m for m in server.said)


@pytest.mark.skipif(sys.platform != "linux", reason="device nodes are Linux's")
def test_a_missing_camera_to_send_names_the_send_option_in_its_fix():
    with pytest.raises(VcamError, match="no capture device /dev/video-none") as raised:
        open_capture("camera:/dev/video-none")
    assert "--send camera:N" in raised.value.fix and "--in" not in raised.value.fix


@pytest.mark.parametrize("send, says", [("file:/no/such/clip.mp4", "no such file"),
                                        ("camera:/dev/video-none", "no capture device /dev/video-none"),
                                        ("image:photo.png", "cannot send"),
                                        ("dvd", "unknown input 'dvd': --send takes camera")])
def test_vcam_cam_refuses_a_missing_file_or_device_before_connecting(intake_server, capsys, send, says):
    server = intake_server()
    assert main(["cam", url_of(server), "--out", "null", "--no-stdin", "--send", send]) == 2
    err = capsys.readouterr().err
    assert says in err and "fix:" in err and "Traceback" not in err
    time.sleep(0.2)  # a connection would have been announced by now; none was made
    assert server.places_taken() == 0 and not any("connected" in m for m in server.said)


@pytest.mark.parametrize("send, says", [
    ("/clips/loop.mp4", "video file /clips/loop.mp4: no such file: check the path, then give it with its kind: "
                        "--send file:PATH"),  # not there either: both said at once, as for --in
    ("/clips/My Clips/a.mov", "video file /clips/My Clips/a.mov: no such file: check the path, then give it with its "
                              "kind: --send file:PATH"),
    ("/dev/video2", "a path needs its kind first: did you mean --send camera:/dev/video2?"),
    ("camera1", "'camera1' is no input: did you mean --send camera:1?"),
    ("/pics/photo.png", "cannot send '/pics/photo.png': a still image is not sent; --send takes camera, camera:N, "
                        "camera:/dev/videoN or file:PATH"),
    ("image:photo.png", "cannot send 'image:photo.png': a still image is not sent; --send takes camera"),
    ("net", "cannot send 'net': --send takes camera"),
    ("dvd", "unknown input 'dvd': --send takes camera, camera:N, camera:/dev/videoN or file:PATH"),
])
def test_what_send_refuses_is_said_in_sends_own_forms(send, says):
    """A picture's path was answered "did you mean image:…?" and then "--send takes … file:PATH", which refuses
    image:; an unknown one listed none, image: and net, which --send does not take either."""
    from vcam.remote.uploader import parse_send

    with pytest.raises(ValueError) as err:
        parse_send(send)
    assert str(err.value).startswith(says)
    assert "image:PATH" not in str(err.value) and "did you mean image" not in str(err.value)


def test_a_clip_without_its_kind_is_said_with_its_kind_or_as_missing(tmp_path, monkeypatch):
    """`--send clip.mp4` was answered "did you mean --send file:clip.mp4?" whether or not the clip was there: one not
    there either was then refused again, as missing."""
    from vcam.remote.uploader import parse_send

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as err:
        parse_send("clip.mp4")
    assert str(err.value) == (f"video file {tmp_path / 'clip.mp4'}: no such file (a --send path is relative to the "
                              "folder vcam was started in): check the path, then give it with its kind: --send "
                              "file:PATH")
    (tmp_path / "clip.mp4").write_bytes(b"")
    with pytest.raises(ValueError) as err:
        parse_send("clip.mp4")
    assert str(err.value) == "a path needs its kind first: did you mean --send file:clip.mp4?"


def test_a_clip_a_mac_stored_decomposed_is_sent_as_typed(tmp_path, monkeypatch):
    """`--send clé.avi`, clé.avi stored as cle and an accent (NFD): offered `--send 'file:clé.avi'`, which, pasted,
    was "no such file" (the name typed was opened as it was)."""
    import unicodedata

    from vcam.remote.uploader import parse_send

    monkeypatch.chdir(tmp_path)
    stored = unicodedata.normalize("NFD", "clé.avi")
    (tmp_path / stored).write_bytes(b"")
    typed = unicodedata.normalize("NFC", "clé.avi")
    assert parse_send(f"file:{typed}") == InputSpec("file", stored)
    with pytest.raises(ValueError, match="did you mean --send"):
        parse_send(typed)


def test_a_second_vcam_cam_is_refused_in_one_line_keeps_its_video_and_takes_over_later(intake_server, clip,
                                                                                        monkeypatch):
    monkeypatch.setattr(Uploader, "RETRY_S", 0.3)
    server = intake_server()
    asked, ask = [], server.intake.ask
    server.intake.ask = lambda client: (asked.append(client.name), ask(client))[1]
    with connect(server) as first:
        first.send(proto.text("send"))
        assert next_text(first, {"send_ok", "send_refused"})["type"] == "send_ok"
        status, typed, thread, result = sending_cam(server, clip)
        # refused, and still showing the server's video
        assert publishing(server, lambda: "LIVE" in status.getvalue() and "input REFUSED" in status.getvalue())
        assert wait_for(lambda: len(asked) >= 4, 60)  # asked again three times, and refused
        text = status.getvalue()
        assert text.count("does not take this client's input") == 1, text
        assert f"another client (127.0.0.1:{first.local_address[1]}) is sending the input; one at a time" in text
        assert server.uploads.frames == []
    try:  # the first one left: the second takes over by itself
        assert publishing(server, lambda: len(server.uploads.frames) >= 3), status.getvalue()
    finally:
        typed.send("quit")
        thread.join(60)
    assert result == [0], status.getvalue()
    assert server.events == [True, False]  # the first sent no frame: the show heard only of the second


# --- the server's rules -----------------------------------------------------------------------------------------


def test_one_sender_at_a_time_and_the_place_is_free_when_it_leaves(intake_server):
    server = intake_server()
    with connect(server) as a, connect(server) as b, connect(server) as c:
        a.send(proto.text("send"))
        ok = next_text(a, {"send_ok", "send_refused"})
        assert ok == {"type": "send_ok", "width": SIZE[0], "height": SIZE[1], "fps": 12.0, "fit": "crop"}
        b.send(proto.text("send"))
        refused = next_text(b, {"send_ok", "send_refused"})
        assert refused["type"] == "send_refused"
        assert refused["message"] == f"another client (127.0.0.1:{a.local_address[1]}) is sending the input; " \
                                     "one at a time"
        a.send(an_input_frame(0))
        assert wait_for(lambda: len(server.uploads.frames) == 1 and server.events == [True], 30)
        a.send(an_input_frame(0))  # a repeated seq is not pushed twice
        a.send(proto.text("send_stop"))
        assert next_text(a, {"ok"}) == {"type": "ok"}
        assert server.events == [True, False] and len(server.uploads.frames) == 1
        c.send(proto.text("send"))  # the place is free again
        assert next_text(c, {"send_ok", "send_refused"})["type"] == "send_ok"
        c.send(an_input_frame(0))
        assert wait_for(lambda: server.events == [True, False, True], 30)
    assert wait_for(lambda: server.events == [True, False, True, False], 30)  # c left


def test_a_sender_the_stop_closes_is_not_said_to_free_the_input(intake_server):
    """At vcam serve's stop, the sending client was also said to be gone with its input "free for another
    client", as the show ended; it is said told the show ended, and nothing of the input."""
    server = intake_server()
    with connect(server) as a:
        a.send(proto.text("send"))
        assert next_text(a, {"send_ok", "send_refused"})["type"] == "send_ok"
        a.send(an_input_frame(0))
        assert wait_for(lambda: server.events == [True], 30)
        server.stop()
    assert wait_for(lambda: any(m.endswith("was told the show ended; 0 connected") for m in server.said), 30), \
        server.said
    assert not any("free for another client" in m for m in server.said), server.said
    assert wait_for(lambda: server.events == [True, False], 30)  # the show's input is still switched back


def test_a_client_refused_the_input_is_said_on_the_servers_terminal_once_then_counted(intake_server):
    """The refused client asks again by itself every few seconds: the operator hears of it at once, with its
    address, and of the asks after it as a count, not a line each."""
    server = intake_server()
    with connect(server) as a, connect(server) as b:
        a.send(proto.text("send"))
        assert next_text(a, {"send_ok", "send_refused"})["type"] == "send_ok"
        for _ in range(3):
            b.send(proto.text("send"))
            assert next_text(b, {"send_ok", "send_refused"})["type"] == "send_refused"
        first, second = (f"127.0.0.1:{ws.local_address[1]}" for ws in (a, b))
        line = f"client {second} was refused sending the input: another client ({first}) is sending the input; " \
               "one at a time"
        assert [said for said in server.said if "was refused" in said] == [line]
    # the asks held back are counted as the client leaves
    assert wait_for(lambda: f"2 more like it: {line}" in server.said, 30), server.said


@pytest.mark.parametrize("query", ["?role=watch", "/?role=viewer"])
def test_vcam_cam_refuses_send_with_an_address_that_only_watches_before_opening_anything(tmp_path, capsys, query):
    """The server never takes a watching client's input: the client was let in and asked again every few seconds
    for the whole show, sending nothing."""
    out = tmp_path / "x.mp4"
    code = main(["cam", f"ws://127.0.0.1:9{query}", "--out", f"file:{out}", "--no-stdin", "--send", "camera"])
    err = capsys.readouterr().err
    assert code == 2 and "--send camera uploads as the server's input" in err and "it only watches" in err
    assert "fix: leave ?role= out of the address" in err and "Traceback" not in err
    assert not out.exists()  # refused before the outputs open


def test_an_address_asks_to_watch_where_its_role_is_other_than_control():
    from vcam.remote.urls import asks_to_watch

    assert asks_to_watch("ws://h:1/?role=watch") and asks_to_watch("ws://h:1?role=Control")
    assert not asks_to_watch("ws://h:1") and not asks_to_watch("ws://h:1/?role=control")
    assert not asks_to_watch("ws://h:1/?x=1")


def test_an_address_asks_to_watch_as_the_server_reads_the_query_the_library_sends():
    """An address holding a non-ASCII letter is sent with each % written %25: ?r%6Fle=watch was read here as a role
    (--send refused for a client the server lets steer), and a role the server reads was missed the other way."""
    from vcam.remote.urls import asks_to_watch, query_token

    assert not asks_to_watch("ws://h:1/é?r%6Fle=watch") and not query_token("ws://h:1/é?to%6Ben=s")
    assert asks_to_watch("ws://h:1/é?role=watch") and asks_to_watch("ws://h:1/?r%6Fle=watch")
    assert asks_to_watch("ws://h:1/?role=watch&x=é") and not asks_to_watch("ws://[::1")


def test_a_watching_client_refused_the_input_is_said_with_its_address(intake_server):
    server = intake_server()
    from websockets.sync.client import connect as ws_connect

    with ws_connect(url_of(server) + "/?role=watch", proxy=None, open_timeout=30, close_timeout=1) as ws:
        ws.send(proto.text("send"))
        assert next_text(ws, {"send_ok", "send_refused"})["message"] == "this client only watches (role=watch)"
        line = f"client 127.0.0.1:{ws.local_address[1]} was refused sending the input: this client only watches " \
               "(role=watch)"
        assert wait_for(lambda: line in server.said, 60), server.said


def _damaged_jpeg():
    data = bytearray(an_input_frame(0))
    del data[-200:]  # cut short
    return bytes(data)


def _a_jpeg_claiming(width, height):
    """A valid header for SIZE before a JPEG whose start-of-frame claims another size."""
    data = bytearray(an_input_frame(0))
    jpeg = data[proto.INPUT_HEADER.size:]
    i = next(i for i in range(len(jpeg) - 1) if jpeg[i] == 0xFF and jpeg[i + 1] in (0xC0, 0xC2))
    jpeg[i + 5:i + 9] = struct.pack(">HH", height, width)
    return bytes(data[:proto.INPUT_HEADER.size] + jpeg)


GARBAGE = [  # (what, asks to send first, the message, close code, part of the reason)
    ("not a frame", True, b"\x00\x01garbage", 1003, "not an input frame"),
    ("a generated frame sent back", True, b"VCF1" + bytes(40), 1003, "not an input frame"),
    ("the wrong size", True, an_input_frame(0, size=(32, 32)), 1003, "the stream takes 64x48"),
    ("a damaged JPEG", True, _damaged_jpeg(), 1003, "damaged input frame"),
    ("a JPEG claiming a huge size", True, _a_jpeg_claiming(30000, 30000), 1003, "damaged input frame"),
    ("without asking", False, an_input_frame(0), 1008, "not the sender"),
    ("too big", True, b"VCI1" + bytes(proto.MAX_MESSAGE), 1009, None),
]


def test_a_client_that_sends_garbage_as_input_is_dropped_and_the_show_goes_on(intake_server):
    from websockets.exceptions import ConnectionClosed

    server = intake_server()
    received = []
    with connect(server) as watcher:
        reader = threading.Thread(target=lambda: [received.append(m) for m in _messages(watcher)], daemon=True)
        reader.start()
        for what, asks, message, code, reason in GARBAGE:
            with connect(server) as bad:
                if asks:
                    bad.send(proto.text("send"))
                    assert next_text(bad, {"send_ok", "send_refused"})["type"] == "send_ok", what
                with pytest.raises(ConnectionClosed) as closed:
                    bad.send(message)
                    while True:
                        bad.recv(timeout=30)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == code, what
                if reason:
                    assert reason in closed.value.rcvd.reason, (what, closed.value.rcvd.reason)
            assert wait_for(lambda: any("was disconnected" in m for m in server.said[-3:]), 30), (what, server.said)
            # the watcher is still served, and the place the dropped sender had is free
            frames = sum(isinstance(m, bytes) for m in received)
            assert publishing(server, lambda: sum(isinstance(m, bytes) for m in received) >= frames + 12), what
        with connect(server) as good:
            good.send(proto.text("send"))
            assert next_text(good, {"send_ok", "send_refused"})["type"] == "send_ok"
    assert server.uploads.frames == [] and server.events == []  # nothing of the garbage reached the show
    said = "\n".join(server.said)
    assert "not an input frame" in said and "over 4 MiB" in said and "Traceback" not in said


def _messages(ws):
    try:
        yield from ws
    except Exception:
        return


def test_an_input_frame_is_measured_before_it_is_decoded(monkeypatch):
    import cv2

    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("decoded a JPEG of the wrong size"))
    with pytest.raises(proto.ProtocolError, match="damaged"):
        proto.decode_input(_a_jpeg_claiming(30000, 30000), SIZE)
    assert proto.jpeg_size(memoryview(_a_jpeg_claiming(640, 360))[proto.INPUT_HEADER.size:]) == (640, 360)


def test_a_frame_from_the_server_is_measured_before_it_is_decoded_and_a_cut_one_is_refused(monkeypatch):
    """vcam cam decoded whatever a frame's JPEG claimed: a few bytes can claim gigabytes on the laptop that runs the
    show's camera. Its size is now checked against the frame's header first, as an input frame's is."""
    import cv2

    rgb = np.random.default_rng(0).integers(0, 256, (48, 64, 3), np.uint8)
    frame = proto.encode_frame(rgb, proto.FrameHeader(1, 2, 0, 12, 0.0, 64, 48))
    header, back = proto.decode_frame(frame)
    assert (header.width, header.height, back.shape) == (64, 48, (48, 64, 3))
    with pytest.raises(proto.ProtocolError, match="damaged frame"):
        proto.decode_frame(frame[:-200])  # cut short
    claiming = bytearray(frame)
    i = next(i for i in range(proto.HEADER.size, len(claiming) - 1)
             if claiming[i] == 0xFF and claiming[i + 1] in (0xC0, 0xC2))
    claiming[i + 5:i + 9] = struct.pack(">HH", 30000, 30000)
    monkeypatch.setattr(cv2, "imdecode", lambda *a: pytest.fail("decoded a JPEG of another size than its header's"))
    with pytest.raises(proto.ProtocolError, match="damaged frame"):
        proto.decode_frame(bytes(claiming))
    huge = proto.HEADER.pack(proto.MAGIC, 1, 2, 0, 12, 0.0, 30000, 30000) + frame[proto.HEADER.size:]
    with pytest.raises(proto.ProtocolError, match="claims 30000x30000; a stream is at most 1920 a side"):
        proto.decode_frame(huge)


# --- rates and queues, on a fake clock ---------------------------------------------------------------------------


def test_the_rate_gate_lets_through_at_most_its_rate_evenly():
    gate = RateGate(12.0)
    times = [k / 30 for k in range(300)]  # a 30 fps camera for 10 s
    allowed = [t for t in times if gate.allow(t)]
    assert len(allowed) == 120
    gaps = np.diff(allowed)
    assert np.abs(gaps - 1 / 12).max() <= 1 / 30 + 1e-9  # within a source frame of the period: no bursts
    gate.fps = 6.0
    assert sum(gate.allow(10 + k / 30) for k in range(300)) == 60
    assert gate.allow(100.0) and not gate.allow(100.01)  # after a gap: one frame, not a burst


def test_the_server_measures_the_rate_it_consumes_and_tells_the_sender():
    now = [0.0]
    rate = ConsumptionRate(clock=lambda: now[0])
    assert rate.fps == ConsumptionRate.START_FPS  # before a measure
    for _ in range(30):  # a block of 12 every half second: 24 frames/s
        now[0] += 0.5
        rate.block(12)
    assert abs(rate.fps - 24.0) < 0.1
    now[0] += 60.0  # a pause is not a rate
    rate.block(12)
    assert abs(rate.fps - 24.0) < 0.1

    class Client:
        name, role = "laptop:1", "control"

        def __init__(self):
            self.notes = []

        def offer_latest(self, kind, message):
            self.notes.append(json.loads(message))

    now[0] = 0.0
    intake = Intake(Recorder(), None, lambda m: None, clock=lambda: now[0])  # size from the first block
    client = Client()
    assert intake.ask(client) is None  # no size yet: the answer comes with the first block
    block = np.zeros((12, 48, 64, 3), np.uint8)
    intake.published(block)
    assert client.notes == [{"type": "send_ok", "width": 64, "height": 48, "fps": 12.0, "fit": "crop"}]
    for _ in range(20):  # one block a second: 12 frames/s, as it was told
        now[0] += 1.0
        intake.published(block)
    assert len(client.notes) == 1
    for _ in range(20):  # slower: one block every 2 s
        now[0] += 2.0
        intake.published(block)
    assert len(client.notes) >= 2 and abs(client.notes[-1]["fps"] - 6.0) < 1.0


class FakeCapture(HandedFrames):
    """Frames the test hands in; each read moves the fake clock on by a 30 fps frame."""

    def __init__(self, now):
        super().__init__()
        self.now = now

    def read(self):
        frame = super().read()
        self.now[0] += 1 / 30
        return frame


def grey(level):
    return np.full((16, 16, 3), level, np.uint8)


def test_the_uploader_sends_at_the_servers_rate(monkeypatch):
    now = [0.0]
    capture, said, sent = FakeCapture(now), [], []
    up = Uploader(capture, said.append, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(lambda m: (sent.append(m), True)[1], lambda: 0.0)
    up.start()
    try:
        up.connected()
        assert json.loads(sent[-1]) == {"type": "send"}
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0, "fit": "crop"})
        for _ in range(300):  # 10 s of a 30 fps source
            capture.frames.put(grey(50))
        assert wait_for(lambda: capture.frames.empty() and up.frames_sent + up.queue.dropped >= 119, 60)
        time.sleep(0.2)
        # every frame let through is either sent or dropped by the queue when the sending falls behind
        assert 119 <= up.frames_sent + up.queue.dropped <= 121
        assert all(proto.decode_input(m, (16, 16))[0].width == 16 for m in sent if isinstance(m, bytes))
    finally:
        capture.frames.put(None)  # its end
        up.stop()
    assert json.loads(sent[-1]) == {"type": "send_stop"}


def test_the_upload_queue_is_bounded_and_keeps_the_newest():
    now = [0.0]
    capture, sent = FakeCapture(now), []
    writing, release = threading.Event(), threading.Event()

    def send(message):
        if isinstance(message, bytes):
            writing.set()
            release.wait(60)  # a slow link
        sent.append(message)
        return True

    up = Uploader(capture, lambda m: None, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(send, lambda: 100.0)
    up.start()
    try:
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 60.0})
        capture.frames.put(grey(0))
        assert writing.wait(30)  # frame 0 is on its way, slowly
        for level in range(10, 100, 10):  # nine more while it goes
            capture.frames.put(grey(level))
        assert wait_for(lambda: capture.frames.empty() and up.queue.dropped == 6, 30)
        release.set()
        assert wait_for(lambda: up.frames_sent == 4, 30)
    finally:
        capture.frames.put(None)
        up.stop()
    frames = [proto.decode_input(m, (16, 16)) for m in sent if isinstance(m, bytes)]
    assert [round(f.mean() / 10) * 10 for _, f in frames] == [0, 70, 80, 90]  # the first, then the newest three
    assert [h.seq for h, _ in frames] == [0, 1, 2, 3]
    assert all(h.captured_at > 100 for h, _ in frames)  # in the server's clock: the offset is added


# --- the sent camera's mode -------------------------------------------------------------------------------------

def sending_camera(monkeypatch, device: FakeDevice, **kw) -> tuple[Uploader, list, list]:
    """An uploader of camera:0, the fake `device` in OpenCV's place, connected: (it, what it said, what it sent)."""
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    said, sent = [], []
    up = Uploader(CvCapture(parse_input("camera:0"), **kw), said.append)
    up.bind(lambda m: (sent.append(m), True)[1], lambda: 0.0)
    up.start()
    up.connected()
    return up, said, sent


def server_at(up: Uploader, width: int, height: int, again: bool = False) -> None:
    """The server's send_ok for a width×height stream; `again`: after the server went away and came back."""
    if again:
        up.disconnected()
        up.connected()
    up.answer({"type": "send_ok", "width": width, "height": height, "fps": 30.0})


def frames_of(sent: list, size: tuple[int, int]) -> bool:
    """Whether a frame of `size` was sent."""
    return any(isinstance(m, bytes) and proto.INPUT_HEADER.unpack_from(m)[3:] == size for m in list(sent))


def test_a_sent_webcam_is_asked_for_hd_as_mjpg_for_an_832x480_server_and_says_what_it_gives(monkeypatch):
    """Opened without a mode, V4L2 gives 640×480: the server's 832×480 was its crop scaled up, soft."""
    import cv2

    device = FakeDevice(modes=WEBCAM)
    up, said, sent = sending_camera(monkeypatch, device)
    try:
        assert device.opened[0].size == (640, 480) and not device.opened[0].asked  # no size known yet
        server_at(up, 832, 480)
        assert wait_for(lambda: frames_of(sent, (832, 480)) and up.frames_sent >= 3, 60), said
        cap = device.opened[0]
        assert (cap.fourcc, cap.size) == ("MJPG", (1280, 720)) and len(device.opened) == 1
        assert (cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG")) in cap.asked
        assert [line for line in said if " gives " in line] == ["camera:0 gives 1280×720"]  # once
    finally:
        up.stop()


@pytest.mark.parametrize("modes, dead, opens", [
    (WEBCAM, {("MJPG", (1280, 720))}, 2),  # HD gets no USB bandwidth: opened again in its own mode
    ({"YUYV": ((320, 240), (640, 480))}, set(), 1),  # no MJPG, no HD: it keeps what it has
])
def test_a_sent_webcam_that_cannot_give_hd_sends_its_own_mode_and_says_it_is_scaled_up(monkeypatch, modes, dead,
                                                                                       opens):
    device = FakeDevice(modes=modes, dead_modes=dead)
    up, said, sent = sending_camera(monkeypatch, device, settle_s=0.05)
    try:
        server_at(up, 832, 480)
        assert wait_for(lambda: frames_of(sent, (832, 480)) and up.frames_sent >= 3, 60), said
        assert len(device.opened) == opens and device.opened[-1].size == (640, 480)
        assert all(cap.released for cap in device.opened[:-1]) and not device.opened[-1].released
        gives = [line for line in said if " gives " in line]
        assert len(gives) == 1 and gives[0].startswith(
            "camera:0 gives 640×480 (asked for 1280×720): scaled up to the stream's 832×480, softer")
        assert not any("unplugged" in line for line in said)
    finally:
        up.stop()


def test_a_sent_loopback_device_is_opened_once_and_taken_in_its_one_size(monkeypatch):
    """OBS's virtual camera writes one size and refuses any other: asked, kept open, said once, at any server
    size."""
    device = FakeDevice(size=(1920, 1080))
    up, said, sent = sending_camera(monkeypatch, device)
    try:
        server_at(up, 832, 480)
        assert wait_for(lambda: frames_of(sent, (832, 480)) and up.frames_sent >= 3, 60), said
        asked = len(device.opened[0].asked)
        assert asked and said[-1] == "camera:0 gives 1920×1080"
        server_at(up, 416, 240, again=True)  # another mode: asked again, refused again
        assert wait_for(lambda: frames_of(sent, (416, 240)) and len(device.opened[0].asked) > asked, 60)
        assert len(device.opened) == 1 and not device.opened[0].released
        assert sum(" gives " in line for line in said) == 1
    finally:
        up.stop()


def test_a_server_back_at_another_size_asks_the_sent_camera_again_only_for_another_mode(monkeypatch):
    device = FakeDevice(modes=WEBCAM)
    up, said, sent = sending_camera(monkeypatch, device)
    try:
        server_at(up, 832, 480)
        assert wait_for(lambda: frames_of(sent, (832, 480)), 60)
        cap = device.opened[0]
        asked = len(cap.asked)
        server_at(up, 960, 544, again=True)  # 1280×720 holds it too: no pause for a switch to the same mode
        sent_before = up.frames_sent
        assert wait_for(lambda: frames_of(sent, (960, 544)) and up.frames_sent >= sent_before + 5, 60)
        assert len(cap.asked) == asked and cap.size == (1280, 720)
        server_at(up, 416, 240, again=True)  # 640×360: less to carry and to decode
        assert wait_for(lambda: "camera:0 gives 640×480" in said and frames_of(sent, (416, 240)), 60), said
        assert cap.size == (640, 480) and len(device.opened) == 1
        assert [line for line in said if " gives " in line] == ["camera:0 gives 1280×720", "camera:0 gives 640×480"]
    finally:
        up.stop()


def test_a_sent_webcam_lost_and_back_is_asked_for_the_servers_mode_again(monkeypatch):
    device = FakeDevice(modes=WEBCAM)
    up, said, sent = sending_camera(monkeypatch, device)
    up.REOPEN_S = 0.01
    try:
        server_at(up, 832, 480)
        assert wait_for(lambda: "camera:0 gives 1280×720" in said, 60)
        device.plugged = False
        assert wait_for(lambda: any("unplugged" in line for line in said), 60)
        device.plugged = True
        assert wait_for(lambda: "camera:0 is back" in said, 60)
        assert (device.opened[-1].fourcc, device.opened[-1].size) == ("MJPG", (1280, 720))
        assert sum(" gives " in line and "no frames" not in line for line in said) == 1
    finally:
        up.stop()


def test_ctrl_c_while_the_sent_camera_settles_in_a_mode_ends_its_capture_at_once(monkeypatch):
    """Stopping waited for the settle (2 s, and 2 s more in the camera's own mode where the one asked gave nothing)
    past the 3 s join: the capture thread outlived vcam cam's end, the camera still open."""
    device = FakeDevice(modes=WEBCAM, dead_modes={("MJPG", (1280, 720))})
    up, said, sent = sending_camera(monkeypatch, device, settle_s=600.0)  # a wait that only the stop can end
    server_at(up, 832, 480)
    assert wait_for(lambda: device.opened[0].asked, 60)  # asked for HD, which gives nothing: settling
    up.stop()
    assert not any(t.is_alive() for t in up._threads)
    assert len(device.opened) == 1 and device.opened[0].released  # not opened again in its own mode: it ends
    assert not any("unplugged" in line for line in said), said  # the camera was not lost: vcam cam ended


class BlockedRead:
    """A capture whose read waits until the test lets it go, as a V4L2 read in a mode that gives nothing waits for
    OpenCV's timeout; it records whether it was closed while a read was under way."""

    name, live = "camera:0", True

    def __init__(self):
        self.reading, self.release, self.closed = threading.Event(), threading.Event(), threading.Event()
        self.in_read = False
        self.closed_in_read = False
        self.closed_by: str | None = None

    def read(self):
        self.in_read = True
        self.reading.set()
        self.release.wait(60)
        self.in_read = False
        return None

    def reopen(self):
        return False

    def fit_mode(self, width, height):
        return None

    def interrupt(self):
        pass  # a read already under way: OpenCV's read cannot be cut short

    def close(self):
        self.closed_in_read = self.closed_in_read or self.in_read
        self.closed_by = threading.current_thread().name
        self.closed.set()


def test_a_capture_thread_stuck_in_a_read_closes_the_capture_itself_once_the_read_returns():
    """stop() closed the capture after its bounded join, from its own thread, while the capture thread was still
    inside OpenCV's read: a VideoCapture released under a read can crash the program."""
    capture, said = BlockedRead(), []
    up = Uploader(capture, said.append)
    up.JOIN_S = 0.05  # the bound stop() waits for each thread; the read outlasts it
    up.start()
    assert capture.reading.wait(30)
    up.stop()  # returned with the read still blocked: within its bound, not after the read
    assert capture.in_read and not capture.closed.is_set()  # left to the capture thread
    capture.release.set()
    assert capture.closed.wait(30)
    assert not capture.closed_in_read and capture.closed_by == "capture"
    up._threads[0].join(30)
    assert not up._threads[0].is_alive() and said == []  # nothing more said: the stop cut the read short


def test_a_second_stop_does_not_wait_again_for_a_capture_thread_stuck_in_a_read():
    """The link stops the uploader, then vcam cam as it ends: each stop waited JOIN_S more for the same stuck read,
    so a camera in a mode that gives nothing held vcam cam's end twice as long."""
    capture = BlockedRead()
    up = Uploader(capture, lambda line: None)
    up.JOIN_S = 0.05
    up.start()
    assert capture.reading.wait(30)
    up.stop()
    up.JOIN_S = 60.0  # a second wait, if there is one, outlasts the test's own
    second = threading.Thread(target=up.stop, daemon=True)
    second.start()
    second.join(10)
    stuck = second.is_alive()
    capture.release.set()
    assert not stuck
    assert capture.closed.wait(30) and capture.closed_by == "capture"


def test_an_uploader_never_started_closes_its_capture_as_it_stops():
    capture = BlockedRead()
    Uploader(capture, lambda line: None).stop()
    assert capture.closed.is_set() and capture.closed_by == threading.current_thread().name


# --- the light side ---------------------------------------------------------------------------------------------


@pytest.mark.slow  # a fresh process, where torch cannot be imported
def test_vcam_cam_send_runs_without_torch(intake_server, clip, tmp_path):
    server = intake_server()
    code = ("import sys; sys.modules['torch'] = None\n"
            "from vcam.cli import main\n"
            f"sys.exit(main(['cam', '{url_of(server)}', '--out', 'null', '--no-stdin', '--send', 'file:{clip}']))\n")
    log = tmp_path / "cam.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stderr=err, stdin=subprocess.DEVNULL)
    try:
        assert publishing(server, lambda: len(server.uploads.frames) >= 12, 120), log.read_text()
        proc.terminate()
        assert proc.wait(60) == 0, log.read_text()
    finally:
        proc.kill()
    assert "Traceback" not in log.read_text() and "sending file:" in log.read_text()
    assert all(f.shape == (SIZE[1], SIZE[0], 3) for f, _ in server.uploads.frames)
    assert wait_for(lambda: server.events == [True, False], 30)


def test_the_show_publishes_its_block_while_the_switch_back_from_a_leaving_sender_is_slow():
    """Switching the input back when a sender leaves may open a camera (a second or more): the producer's
    `published` must not wait for it."""
    from types import SimpleNamespace

    entered, release = threading.Event(), threading.Event()
    calls = []

    def on_sender(started):
        calls.append(started)
        if not started:
            entered.set()
            release.wait(60)

    intake = Intake(Recorder(), on_sender, lambda m: None, size=SIZE)
    client = SimpleNamespace(name="laptop", role="control", offer_latest=lambda kind, message: None)
    intake.ask(client)
    frame = proto.encode_input(np.full((SIZE[1], SIZE[0], 3), 90, np.uint8), seq=1, captured_at=time.time())
    intake.frame(client, frame)
    assert calls == [True]
    leaving = threading.Thread(target=intake.left, args=(client,))
    leaving.start()
    assert entered.wait(60)
    published = threading.Thread(target=intake.published, args=(np.zeros((12, SIZE[1], SIZE[0], 3), np.uint8),))
    published.start()
    published.join(30)
    done = not published.is_alive()
    release.set()
    leaving.join(30)
    assert done and calls == [True, False]


def _served_controller(start_input: str):
    """A show's controller on `start_input` (as `vcam serve --in …` starts it), and its input switched through the
    server's SenderSwitch: what a sender's coming and going does to the show, without a model."""
    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState
    from vcam.control.show import parse_show

    show = parse_show("presets:\n  - {name: a, prompt: a city}\n", "show.yaml")
    return Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0, input=start_input),
                      RecordingProducer(), threading.Event(), lambda text: None)


def _sends_then_leaves(ctl, level: int):
    """A sender's one frame of grey `level` reaches a show's uploads, then the sender leaves: (the uploads, what the
    server said)."""
    from types import SimpleNamespace

    from vcam.live.inputs import LiveFrames
    from vcam.remote.attach import SenderSwitch

    said: list[str] = []
    uploads = LiveFrames(*SIZE, first_wait_s=0.0)
    intake = Intake(uploads, SenderSwitch(ctl, said.append), said.append, size=SIZE)
    client = SimpleNamespace(name="laptop", role="control", offer_latest=lambda kind, message: None)
    intake.ask(client)
    intake.frame(client, an_input_frame(1, level=level))
    assert ctl.state.input == "net"
    uploads.frames(0, 12)  # a block took what it sent
    intake.left(client)
    return uploads, said


def test_a_sender_leaving_a_show_on_the_network_input_leaves_its_last_frame_on_as_the_input():
    """`vcam serve --in net`: a sender that left put the show on text only, a jump in the middle of a show, where a
    stalled camera's last frame stays on; the input stays `net` and holds the sender's last frame, and it is said."""
    ctl = _served_controller("net")
    uploads, said = _sends_then_leaves(ctl, level=90)
    assert ctl.state.input == "net"
    assert said[-2:] == ["client laptop is gone: the input it sent is free for another client",
                         "the network input left: the show goes on with its last frame as the input, waiting for a "
                         "sender (input none: text only)"]
    held = uploads.frames(0, 12)  # the next block: the last frame again, nothing new having come
    assert held.shape == (12, SIZE[1], SIZE[0], 3) and np.abs(held.astype(int) - 90).max() <= 6


def test_a_sender_leaving_puts_back_the_input_on_air_before_it_came():
    ctl = _served_controller("none")
    _, said = _sends_then_leaves(ctl, level=90)
    assert ctl.state.input == "none" and said[-1] == "the network input left: text only from the next block"


class BrokenCapture(FakeCapture):
    def read(self):
        frame = super().read()
        if frame is not None and frame.mean() == 99:
            raise RuntimeError("a bug in the capture")
        return frame


@pytest.mark.parametrize("broken", ["capture", "upload"])
def test_a_bug_in_a_sending_thread_is_one_line_the_status_says_failed_and_both_threads_end(monkeypatch, broken):
    """It printed a traceback and the upload stopped, while the status line went on saying it was sending."""
    uncaught = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    if broken == "upload":
        def encode_input(*args):
            raise RuntimeError("a bug in the encoder")
        monkeypatch.setattr(uploader_module.proto, "encode_input", encode_input)
    now = [0.0]
    capture, said, sent = BrokenCapture(now), [], []
    up = Uploader(capture, said.append, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(lambda m: (sent.append(m), True)[1], lambda: 0.0)
    up.start()
    try:
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 30.0})
        capture.frames.put(grey(99 if broken == "capture" else 50))
        assert wait_for(lambda: up.state == "failed", 30)
        capture.frames.put(grey(50))  # a capture thread waiting in a read sees the failure after it
        assert wait_for(lambda: not any(t.is_alive() for t in up._threads), 30)
        up.connected()  # the link reconnecting does not bring back a sender that broke
        assert up.state == "failed"
    finally:
        capture.frames.put(None)
        up.stop()
    assert uncaught == [] and up.frames_sent == 0
    stopped = [line for line in said if "stopped" in line]
    assert len(stopped) == 1 and "\n" not in stopped[0], said
    assert f"its {broken} failed (RuntimeError: a bug in the" in stopped[0]
    assert json.loads(sent[-1]) == {"type": "send_stop"}  # the server knows its input stopped


def test_a_sending_threads_bug_names_its_type_once_and_its_place(monkeypatch):
    """The line said the type, then one_line's own type for a bug: '(AttributeError: AttributeError: …)'."""
    def encode_input(*args):
        raise AttributeError("'NoneType' object has no attribute 'shape'")
    monkeypatch.setattr(uploader_module.proto, "encode_input", encode_input)
    now = [0.0]
    capture, said = BrokenCapture(now), []
    up = Uploader(capture, said.append, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(lambda m: True, lambda: 0.0)
    up.start()
    try:
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 30.0})
        capture.frames.put(grey(50))
        assert wait_for(lambda: up.state == "failed", 30)
    finally:
        capture.frames.put(None)
        up.stop()
    stopped = [line for line in said if "stopped" in line]
    assert len(stopped) == 1 and stopped[0].count("AttributeError") == 1, said
    assert "(AttributeError: 'NoneType' object has no attribute 'shape' (at vcam/remote/uploader.py:" in stopped[0]


@pytest.mark.parametrize("answer", ["send_ok", "send_refused"])
def test_the_servers_answer_to_a_send_asked_before_a_thread_broke_leaves_the_input_failed(answer):
    """A refusal made a FAILED input REFUSED, 'asking again' with no thread left to ask; a place given stayed this
    client's, no send_stop following, so that no other client could send for the whole connection."""
    now = [0.0]
    said, sent = [], []
    up = Uploader(FakeCapture(now), said.append, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(lambda m: (sent.append(m), True)[1], lambda: 0.0)
    up.connected()  # asks to send; the answer is on its way as the capture thread breaks

    def broken():
        raise RuntimeError("a bug in the capture")

    up._guarded(broken, "capture")
    up.answer({"type": answer, "width": 16, "height": 16, "fps": 30.0, "message": "taken"})
    assert up.state == "failed"
    assert not any("does not take" in line or "sending test:frames as" in line for line in said), said
    stops = [m for m in sent if isinstance(m, str) and json.loads(m) == {"type": "send_stop"}]
    assert len(stops) == (1 if answer == "send_ok" else 0), sent
    up.stop()
