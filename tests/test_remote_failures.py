"""vcam cam's --send and vcam serve meeting what a show meets: a camera pulled out while it is sent (OpenCV raising
or giving nothing), a file OpenCV cannot read, a device node that is no camera, a frame too large for the link, a
port below 1024."""
import errno
import queue
import socket
import threading

import cv2
import numpy as np
import pytest

from fake_capture import FakeDevice
from helpers import wait_for
from vcam.errors import VcamError
from vcam.inspec import parse_input
from vcam.live.inputs.source import InputError
from vcam.remote import protocol as proto
from vcam.remote import uploader as uploader_module
from vcam.remote.uploader import CvCapture, Uploader, open_capture


class _Camera:
    """A capture device behind OpenCV's VideoCapture: it raises on a read once `plugged` is False (as a V4L2 device
    pulled out may), and gives no frame after a reopen until it is plugged again."""

    def __init__(self, device):
        self.device = device

    def isOpened(self):
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        self.device.reads.put(1)
        if not self.device.plugged.is_set():
            raise RuntimeError("VIDIOC_DQBUF: No such device")
        return True, np.full((16, 16, 3), self.device.level, np.uint8)

    def release(self):
        pass


class _Device:
    def __init__(self):
        self.plugged, self.level, self.opens = threading.Event(), 40, 0
        self.plugged.set()
        self.reads: queue.Queue = queue.Queue()

    def open(self, target, flag):
        self.opens += 1
        return _Camera(self)


@pytest.mark.parametrize("channels, dtype", [(1, np.uint8), (4, np.uint8), (1, np.uint16)])
def test_a_sent_grey_or_bgra_camera_gives_rgb_frames(monkeypatch, channels, dtype):
    """An infrared camera (Y8, or Y16 read without OpenCV's conversion) gives one channel, some drivers four: sent
    as pictures, as the show takes them, before and after it is asked for the server's mode."""
    device = FakeDevice(bgr=(30, 60, 90), channels=channels, dtype=dtype)
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    cap = CvCapture(parse_input("camera:0"))
    try:
        frames = [cap.read()]
        said = cap.fit_mode(832, 480)
        frames += [cap.read(), cap.read()]  # the frame read as it settled in the mode asked for, then the next
        for frame in frames:
            assert frame is not None and frame.shape == (48, 64, 3) and frame.dtype == np.uint8
            assert tuple(frame[0, 0]) == ((60, 60, 60) if channels == 1 else (90, 60, 30))
        assert said.startswith("camera:0 gives 64×48 (asked for 1280×720): scaled up") and len(device.opened) == 1
    finally:
        cap.close()


def test_a_sent_camera_that_raises_when_pulled_out_is_said_once_reopened_and_sent_again(monkeypatch):
    """OpenCV's read raised on the capture thread: it ended with a traceback and the server's input stopped for good,
    with nothing said."""
    device = _Device()
    monkeypatch.setattr(uploader_module, "open_device", device.open)
    said, sent = [], []
    up = Uploader(CvCapture(parse_input("camera:0")), said.append)
    up.REOPEN_S = 0.01
    up.bind(lambda m: (sent.append(m), True)[1], lambda: 0.0)
    up.start()
    try:
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 240.0})
        assert wait_for(lambda: up.frames_sent >= 1, 60)
        device.plugged.clear()
        assert wait_for(lambda: device.opens >= 4, 60)  # still trying: the capture thread lives
        assert said[-1] == "camera:0 gives no frames (unplugged?): trying to reopen it every 0.01 s"
        assert not any("is back" in s for s in said)  # opened, but no frame yet: not back
        device.level = 200
        device.plugged.set()
        assert wait_for(lambda: "camera:0 is back" in said, 60)
        assert wait_for(lambda: any(isinstance(m, bytes) and proto.decode_input(m, (16, 16))[1].mean() > 150
                                    for m in sent), 60)
        assert sum("gives no frames" in s for s in said) == 1
        assert all(t.is_alive() for t in up._threads)
    finally:
        up.stop()


def test_a_file_opencv_cannot_read_is_refused_before_connecting(tmp_path):
    notes = tmp_path / "notes.mp4"
    notes.write_bytes(b"these are my notes, not a video" * 50)
    with pytest.raises(VcamError) as raised:
        open_capture(f"file:{notes}")
    assert raised.value.message == f"--send file:{notes}: OpenCV cannot read this file as video"
    assert "convert it with ffmpeg" in raised.value.fix


def test_a_device_node_that_is_no_camera_is_refused_with_the_send_fix(tmp_path):
    node = tmp_path / "video7"
    node.write_bytes(b"")
    with pytest.raises(VcamError) as raised:
        open_capture(f"camera:{node}")
    assert raised.value.message == f"camera:{node} is a file, not a capture device"
    assert raised.value.fix == f"give a clip as --send file:{node}"


def test_opencv_raising_as_the_sent_camera_opens_is_a_clear_error(monkeypatch):
    def busy(target, flag):
        raise RuntimeError("can't open camera by index")

    monkeypatch.setattr(uploader_module, "open_device", busy)
    with pytest.raises(VcamError) as raised:
        open_capture("camera:1")
    assert raised.value.message == "--send camera:1: cannot open camera 1 (can't open camera by index)"
    assert "plugged in" in raised.value.fix


def test_a_frame_over_the_links_limit_lowers_the_jpeg_quality_and_is_not_sent(monkeypatch):
    """The server drops a client that sends a message over its limit: noise at full quality is one."""
    said = []
    up = Uploader(None, said.append, quality=90)
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    monkeypatch.setattr(proto, "MAX_MESSAGE", len(proto.encode_input(noise, 0, 0.0, 50)) + 1)
    assert up._encode(noise, 0.0) is None and up.quality == 80
    assert said[0].startswith("an input frame of ") and said[0].endswith("JPEG quality lowered to 80")
    while (message := up._encode(noise, 0.0)) is None:
        assert up.quality >= Uploader.MIN_QUALITY
    assert up.quality == 50 and len(message) <= proto.MAX_MESSAGE


def test_a_port_below_1024_says_it_needs_root(monkeypatch):
    import websockets.sync.server

    from vcam.remote.server import FrameServer, ServeSettings

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(websockets.sync.server, "serve", refused)
    server = FrameServer(ServeSettings(port=80), lambda line, source: "ok", dict, lambda s: None)
    with pytest.raises(VcamError) as raised:
        server.start()
    assert raised.value.message == "cannot listen on 127.0.0.1:80 (Permission denied)"
    assert raised.value.fix == f"ports below 1024 need root: pick --port 1024 or above (the default is " \
                               f"{proto.DEFAULT_PORT})"


@pytest.mark.parametrize("host, said", [("0.0.0.0:18795/?token=SECtk", "[0.0.0.0:18795/?token=***]"),
                                        ("vj:SECpw@127.0.0.1:18795", "[vj:***@127.0.0.1:18795]"),
                                        ("ws:/vj:SECpw@127.0.0.1:18795", "[ws:/vj:***@127.0.0.1:18795]")])
def test_a_host_typed_with_its_secrets_is_said_without_them(monkeypatch, host, said):
    """--host typed as vcam cam's address with its password or ?token= was said in full in "cannot listen on"."""
    import websockets.sync.server

    from vcam.remote.server import FrameServer, ServeSettings

    def refused(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(websockets.sync.server, "serve", refused)
    server = FrameServer(ServeSettings(host=host, port=8765, token="t0ken"), lambda line, source: "ok", dict,
                         lambda s: None)
    with pytest.raises(VcamError) as raised:
        server.start()
    assert raised.value.message == f"cannot listen on {said}:8765 (Name or service not known)"
    with pytest.raises(VcamError) as raised:
        FrameServer(ServeSettings(host=host, port=8765), lambda line, source: "ok", dict, lambda s: None)
    assert raised.value.message.startswith(f"listening on {said[1:-1]} lets anyone"), raised.value.message


# --- frames damaged on the way ----------------------------------------------------------------------------------


def _a_picture(width=112, height=64):
    """A smooth picture, as a show's frames are: a JPEG of it has a long scan to damage."""
    import cv2

    small = np.random.default_rng(5).integers(0, 256, (8, 14, 3), np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


def _damaged(message: bytes, header_size: int, how: str) -> bytes:
    """`message` with its JPEG's picture data damaged, its header, size and end marker whole: the scan cut short
    (libjpeg: "premature end of data segment") or bytes put before the end marker ("extraneous bytes")."""
    head, jpeg = message[:header_size], message[header_size:]
    if how == "cut":
        return head + jpeg[:len(jpeg) * 2 // 3] + b"\xff\xd9"
    return head + jpeg[:-2] + b"\x12\x34\x56" + jpeg[-2:]


def test_corrupt_picture_data_from_the_server_is_said_by_vcam_once_then_counted_never_by_libjpeg(capfd):
    """libjpeg (OpenCV's decoder) printed "Corrupt JPEG data: ..." on the terminal for every such frame, past any
    log level: a live show's terminal scrolled with it. A frame the decoder finds damaged is skipped and said
    once, then counted; one whose damage does not show is shown as decoded."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    frame = proto.encode_frame(_a_picture(), proto.FrameHeader(1, 0, 0, 12, 0.0, 112, 64))
    for _ in range(30):
        link._receive(_damaged(frame, proto.HEADER.size, "cut"))
        link._receive(_damaged(frame, proto.HEADER.size, "extra"))
    link.say_held_back()
    assert "JPEG" not in capfd.readouterr().err
    assert said == [f"skipped a frame: {proto.CORRUPT}", f"29 more like it: skipped a frame: {proto.CORRUPT}"]
    assert link.frames == 30  # the ones whose damage does not show went on


def test_a_sender_whose_input_frame_is_damaged_on_the_way_keeps_sending_and_it_is_said_once_a_minute(capfd):
    """A whole input frame whose picture data is damaged is skipped (the next one is likely whole), where any other
    frame the server cannot use drops its sender; said once a minute with a count, never by libjpeg."""
    from vcam.remote.intake import Intake

    class Uploads:
        frames = 0

        def push(self, frame, at=None):
            self.frames += 1

    class Client:
        name, role = "laptop:1", "control"

        def offer_latest(self, kind, message):
            pass

    now, said, uploads, client = [0.0], [], Uploads(), Client()
    intake = Intake(uploads, None, said.append, size=(112, 64), clock=lambda: now[0])
    assert '"send_ok"' in intake.ask(client)
    for seq in range(40):
        now[0] += 2.0
        intake.frame(client, _damaged(proto.encode_input(_a_picture(), seq, 0.0), proto.INPUT_HEADER.size, "cut"))
    intake.frame(client, proto.encode_input(_a_picture(), 40, 0.0))
    assert uploads.frames == 1 and intake.sender is client
    line = f"skipped an input frame from laptop:1: {proto.CORRUPT}"
    assert said[1:] == [line, f"{line} (and 29 more like it)"], said
    assert intake.held_back(now[0] + 60) == [f"9 more like it: {line}"]
    assert "JPEG" not in capfd.readouterr().err


def test_an_ipv6_host_on_a_machine_with_ipv6_turned_off_says_to_listen_on_ipv4(monkeypatch):
    """--host :: where the kernel has IPv6 off failed with "Address family not supported by protocol" and the fix
    "pick another --port, or stop the program that uses this one": no port would have done."""
    import socket

    from vcam.remote.server import FrameServer, ServeSettings

    create_server = socket.create_server

    def no_ipv6(address, *, family=socket.AF_INET, **kwargs):
        if family == socket.AF_INET6:
            raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return create_server(address, family=family, **kwargs)

    monkeypatch.setattr(socket, "create_server", no_ipv6)
    monkeypatch.setattr(socket, "has_dualstack_ipv6", lambda: False)  # as Python finds it on such a machine
    server = FrameServer(ServeSettings(host="::", port=0, token="s3cret"), lambda line, source: "ok", dict,
                         lambda s: None)
    with pytest.raises(VcamError) as raised:
        server.start()
    assert raised.value.message == "cannot listen on [::]:0 (Address family not supported by protocol)"
    assert raised.value.fix.startswith("this machine has IPv6 turned off: --host 0.0.0.0 listens on every IPv4 "
                                       "address"), raised.value.fix


def test_a_bug_answering_a_clients_message_is_said_as_vcams_not_as_the_client_leaving(local_server, monkeypatch):
    """A message whose answer breaks on a bug in vcam's own code ended the connection with "client … left", as if
    the camera had quit; the line now says what broke and where, and the server goes on serving the next client."""
    from websockets.sync.client import connect

    import vcam.remote.server as server_module
    from helpers import wait_for

    def broken(server, message, client, state=None):
        raise AttributeError("'NoneType' object has no attribute 'usual'")

    monkeypatch.setattr(server_module, "answer", broken)
    url = f"ws://127.0.0.1:{local_server.port}"
    with connect(url, proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("ping", t=1.0))
        assert wait_for(lambda: any(m.startswith("client ") and "connected (" not in m for m in local_server.said),
                        30), local_server.said
    ended = [m for m in local_server.said if m.startswith("client ") and "connected (" not in m]
    assert len(ended) == 1 and " left" not in ended[0], ended
    assert "was disconnected: vcam failed on its message (AttributeError: 'NoneType' object has no attribute " \
           "'usual' (at vcam/remote/server.py:" in ended[0] and "a bug in vcam" in ended[0], ended
    monkeypatch.undo()
    with connect(url, proxy=None, open_timeout=30) as ws:  # the show goes on: the next client is served
        ws.send(proto.text("ping", t=1.0))
        assert proto.parse_text(ws.recv(timeout=30))["type"] in ("state", "pong")


def test_a_sent_camera_whose_opencv_error_runs_over_lines_is_said_on_one_line(monkeypatch):
    """cv2.error's text runs over lines: escaped in the error's one line, it read "\\n >" between its parts."""
    def broken(target, flag):
        raise cv2.error("OpenCV(4.10.0) cap.cpp:99: error: (-2:Unspecified error) in function 'open'\n> busy\n")

    monkeypatch.setattr(uploader_module, "open_device", broken)
    with pytest.raises(InputError) as raised:
        CvCapture(parse_input("camera:0"))
    assert raised.value.message == ("--send camera:0: cannot open camera 0 (OpenCV(4.10.0) cap.cpp:99: error: "
                                    "(-2:Unspecified error) in function 'open' > busy)")
