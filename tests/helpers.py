"""Small tools shared by the tests: those that drive a running show, and how far two pictures are apart."""
from __future__ import annotations

import contextlib
import io
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

# A show for the tiny model, small enough for a CPU: the one the live tests play, extend and replay.
TINY_SHOW = """\
defaults: {seed: 3, transition: 2}
output: {size: 112x64}
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves at noon}
  - {name: forest, prompt: a misty forest}
"""
# The camera rate of runs that compare frames: the model waits for the pacer, which plays them 8 times sooner.
FAST = 240.0


class Pipe:
    """Typed commands for an in-process run or client (the read end stands in for stdin)."""

    def __init__(self):
        r, w = os.pipe()
        self.reader, self.writer = os.fdopen(r, "rb"), os.fdopen(w, "wb")

    def send(self, line: str) -> None:
        self.writer.write((line + "\n").encode())
        self.writer.flush()


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A loopback port nothing listens on (TCP by default; socket.SOCK_DGRAM for UDP)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def loopback_port(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback TCP port whose connections go to `handle` one after another, each closed after it. Yields its
    ws:// address."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # the listener closed: the test is over
                return
            with conn:
                handle(conn)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@contextlib.contextmanager
def ws_served(handler) -> Iterator[str]:
    """A WebSocket server of the library's own on a free loopback port, each connection given to `handler`, served
    on a thread; yields its ws:// address, and shuts it down after."""
    from websockets.sync.server import serve

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        finally:
            server.shutdown()


def said_by_link(handler, until: str) -> list[str]:
    """What vcam cam's link says of a WebSocket server whose connections go to `handler`, until it says `until`."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said: list[str] = []
    with ws_served(handler) as url:
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
        link.start()
        try:
            assert wait_for(lambda: any(until in m for m in said), 60), said
        finally:
            link.stop()
    return said


@contextlib.contextmanager
def killed_after(proc: subprocess.Popen, seconds: float) -> Iterator[None]:
    """A deadline on reading a process's pipes: it is killed after `seconds` (its pipes then end), so the test of a
    process that never stops fails instead of hanging the run."""
    timer = threading.Timer(seconds, proc.kill)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def stopped_at_line(argv: list[str], text: str, sig: int, seconds: float = 300) -> tuple[bool, int, str, str]:
    """Runs `argv` with stderr read line by line, sends `sig` once a line holds `text`, and reads the rest to its
    end: whether the line came, the exit code, stderr up to that line, and the rest. Killed after `seconds`, so a
    process that never stops fails its test instead of hanging the run."""
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    came = False
    try:
        with killed_after(proc, seconds):
            for line in proc.stderr:
                lines.append(line)
                if text in line:
                    came = True
                    proc.send_signal(sig)
                    break
            rest = proc.stderr.read()
        code = proc.wait(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    return came, code, "".join(lines), rest


# Runs `vcam ARGS` (argv[3:]) with the signals argv[2] (names, comma-separated) sent to itself as argv[1] is called
# (`module:function` or `module:Class.method`), saying "sent" first: a stop at that instant, whatever the machine's
# speed.
_STOPPED_AS_CALLED = """\
import importlib, os, signal, sys
where, sigs = sys.argv[1], [getattr(signal, name) for name in sys.argv[2].split(",")]
sys.argv = [sys.argv[0], *sys.argv[3:]]
module, _, path = where.partition(":")
owner = importlib.import_module(module)
*outer, name = path.split(".")
for part in outer:
    owner = getattr(owner, part)
real = getattr(owner, name)


def called(*args, **kwargs):
    print("sent", file=sys.stderr, flush=True)
    for sig in sigs:
        os.kill(os.getpid(), sig)
    return real(*args, **kwargs)


setattr(owner, name, called)
from vcam.__main__ import run
sys.exit(run())
"""


def stopped_as_called(tmp_path, where: str, sigs: str, args: list[str],
                      timeout: float = 300) -> subprocess.CompletedProcess:
    """`vcam ARGS` sent the signals `sigs` ("SIGTERM,SIGTERM") as `where` ("vcam.engine.load:choose_model") is
    called; its stderr is captured as text."""
    harness = tmp_path / "stopped_as_called.py"
    harness.write_text(_STOPPED_AS_CALLED, encoding="utf-8")
    return subprocess.run([sys.executable, str(harness), where, sigs, *args], capture_output=True, text=True,
                          timeout=timeout)


def vcam_with_stdout_gone(argv: list[str], timeout: float = 300,
                          env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`vcam ARGV` run with stdout a pipe whose reader closed it before vcam wrote a byte (`| head -c0`: every write
    to it fails); stderr is captured as text."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "vcam", *argv], stdout=write, stderr=subprocess.PIPE, text=True,
                              timeout=timeout, env=env)
    finally:
        os.close(write)


def in_thread(fn, *args):
    """Runs fn(*args) in a thread; returns the thread and a list that collects its exception, if any."""
    errors: list[Exception] = []

    def target():
        try:
            fn(*args)
        except Exception as e:  # surfaced by the test
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    return t, errors


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def write_clip(path, count: int = 20, size: tuple[int, int] = (64, 48), levels=None, fps: float = 10) -> str:
    """An MJPEG clip whose frame i is a flat grey, 10·i by default (MJPEG decodes it back within a few levels)."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for i in range(count):
        level = levels[i % len(levels)] if levels else 10 * i
        writer.write(np.full((size[1], size[0], 3), level, dtype=np.uint8))
    writer.release()
    return str(path)


def pyav_clip(path, rate, count: int = 20, times_ms=None, codec: str = "libx264", size=(64, 48),
              options: dict | None = None, movflags: str | None = None) -> str:
    """A clip written by PyAV (an H.264 MP4 by default; the container is the path's) whose frame i is a flat grey
    10·i (mod 250), at `rate` frames a second, or with frame i shown at times_ms(i) milliseconds (a variable
    rate); `options` go to the encoder, `movflags` to an MP4's muxer (frag_keyframe: fragmented)."""
    import fractions

    import av
    import numpy as np

    with av.open(str(path), "w", options={"movflags": movflags} if movflags else {}) as out:
        stream = out.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        base = fractions.Fraction(1, 1000) if times_ms else 1 / fractions.Fraction(rate)
        stream.codec_context.time_base = base
        for i in range(count):
            frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), 10 * i % 250, np.uint8), "rgb24")
            frame.pts, frame.time_base = (times_ms(i) if times_ms else i), base
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return str(path)


def alpha_clip(path, codec: str, pix_fmt: str, count: int = 4) -> str:
    """A clip with alpha written by PyAV (the container is the path's): a white square, opaque, on a transparent
    background whose hidden pixels are white too, 32x24 (the square rows 6-17, columns 8-23), at 10 fps."""
    import numpy as np

    logo = np.full((24, 32, 4), 255, np.uint8)
    logo[:, :, 3] = 0
    logo[6:18, 8:24, 3] = 255
    return rgba_clip(path, [logo] * count, codec, pix_fmt)


def rgba_clip(path, frames: list, codec: str = "png", pix_fmt: str = "rgba") -> str:
    """RGBA frames (HxWx4 uint8) written by PyAV at 10 fps (the container is the path's; PNG in a MOV is lossless,
    each frame's pixels come back as written)."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=10)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = pix_fmt
        for i, rgba in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return str(path)


def live_show(opts, blocks: list, steps: list[tuple[int, str]], end: int) -> list:
    """Runs `opts` (a vcam.live.run.RunOptions) in a thread, typing each command once `blocks` (the `capture`
    fixture's) has reached its count and quitting at `end`; every frame the show generated, in order."""
    from vcam.live.run import run

    pipe = Pipe()
    opts.commands, opts.status_out = pipe.reader, io.StringIO()
    thread, errors = in_thread(run, opts)
    for count, line in steps + [(end, "quit")]:
        assert wait_for(lambda: len(blocks) >= count, 120), opts.status_out.getvalue()
        pipe.send(line)
    thread.join(120)
    assert not thread.is_alive() and not errors, errors
    return [frame for block in blocks for frame in block]


class RecordingProducer:
    """Stands in for the producer (vcam.live.producer.Generator) the controller, the prompter and a replay hand
    actions to, without a model: keeps each submit as (action, at_block, origin) in `given`, in order.

    `blocks` is the producer's count of blocks handed to the pacer (the block a screen change or a tempo is
    logged with); `submitted`, as on the producer, the count of blocks made, which tells the controller whether a
    change put on a later block still waits. With `tell_at_once` the listeners (`on_applied`: the control log, a
    replay's screen) hear of each action as it is submitted, as if applied there and then; otherwise only when a
    test calls `apply_given`. Either way they are told the block the producer would apply it before: its
    `at_block` where one was asked for, else the next block (`blocks`)."""

    def __init__(self, blocks: int = 0, tell_at_once: bool = False):
        self.blocks = blocks
        self.submitted = 0
        self.tell_at_once = tell_at_once
        self.given: list[tuple] = []
        self.listeners: list = []

    @property
    def actions(self) -> list:
        """The actions given, in order, without their blocks and origins."""
        return [action for action, _, _ in self.given]

    def submit(self, action, at_block=None, origin=None) -> None:
        self.given.append((action, at_block, origin))
        if self.tell_at_once:
            self._tell(action, at_block, origin)

    def on_applied(self, listener) -> None:
        self.listeners.append(listener)

    def apply_given(self) -> None:
        """Tells the listeners of every action given so far, in order, as the producer does once it applied them."""
        for action, at_block, origin in self.given:
            self._tell(action, at_block, origin)

    def _tell(self, action, at_block, origin) -> None:
        for listener in self.listeners:
            listener(action, self.blocks if at_block is None else at_block, origin)


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio of two uint8 pictures (numpy arrays of one shape), in dB."""
    mse = float(((a.astype("float64") - b.astype("float64")) ** 2).mean())
    return 10 * math.log10(255.0 ** 2 / max(mse, 1e-12))


def decode_in_parts(decoder, latents, splits):
    """A streaming decoder's frames for `latents` [B, C, T, H, W] handed over in parts of `splits` latents each,
    joined along time: what one whole decode must equal."""
    import torch

    parts, start = [], 0
    for k in splits:
        parts.append(decoder.decode(latents[:, :, start:start + k]))
        start += k
    return torch.cat(parts, dim=2)


def script_module(name: str):
    """scripts/NAME.py as the module NAME, loaded once (its dataclasses look their module up by name)."""
    import importlib.util
    import sys
    from pathlib import Path

    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def failing_state(server) -> list[bool]:
    """Makes a FrameServer's state snapshot raise (a show whose state cannot be read) until the returned flag's
    first item is set False; then it is a live show's."""
    broken = [True]

    def state():
        if broken[0]:
            raise RuntimeError("the snapshot failed")
        return {"screen": "live"}

    server.state = state
    return broken


def map_refusal(tmp_path, entries: str) -> tuple[str, str]:
    """A MIDI map file holding ENTRIES under controls:, and its one refusal (more than one fails the test)."""
    import pytest

    from vcam.control.midimap import load_map
    from vcam.control.yamlproblems import ConfigError

    path = tmp_path / "map.yaml"
    path.write_text(f"controls:\n  {entries}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert len(err.value.problems) == 1, err.value.problems
    return str(path), err.value.problems[0]


class Openings(list):
    """The threads a clip file was opened in; `held`: set once an opening is held (a reload's thread gets there
    only after it has probed the file, which may be after the show's next blocks)."""

    def __init__(self):
        super().__init__()
        self.held = threading.Event()


def held_openings(monkeypatch) -> tuple[threading.Event, list]:
    """Holds the opening of a clip file in any thread but the main one (a replaced clip's Reload) until the event
    returned is set; the list gathers the thread of each opening, its `held` event set once one is held."""
    from vcam.live.inputs import clip as clip_module

    let_go, opened_in = threading.Event(), Openings()
    real_first = clip_module._first

    def held_first(*args):
        opened_in.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():
            opened_in.held.set()
            # let go at the latest as the show or render ends, which a busy machine takes well over 30 s to reach
            assert let_go.wait(600)
        return real_first(*args)

    monkeypatch.setattr(clip_module, "_first", held_first)
    return let_go, opened_in


def held_reloads(monkeypatch):
    """Holds the opening of each clip file replaced on air (a ClipSource's Reload, in its thread) until the show's
    thread waits for it to be ready; the event returned lets them go at once. That wait lasts up to 30 s, whatever
    bound the show gives it: a render's first (clip.OFFLINE_SAY_S) would otherwise pass on a busy machine."""
    return _held_reloads(monkeypatch, first_runs_out=False)[0]


def slow_reloads(monkeypatch) -> tuple[threading.Event, list]:
    """Holds the opening of each clip file replaced on air (a ClipSource's Reload, in its thread) through the show's
    waits for it until they add up to a render's clip.OFFLINE_SAY_S, each running out at once (as if its time had
    passed: a render that can be stopped waits in slices); its next wait lets it go and lasts up to 30 s. Returns
    the event that lets them go, and the bound of each wait."""
    return _held_reloads(monkeypatch, first_runs_out=True)


def _held_reloads(monkeypatch, first_runs_out: bool) -> tuple[threading.Event, list]:
    from vcam.live.inputs import clip as clip_module

    let_go, _ = held_openings(monkeypatch)
    waits: list = []

    class Asked(threading.Event):
        def __init__(self):
            super().__init__()
            self.waited = 0.0  # the time its waits that ran out stood for

        def wait(self, timeout=None):
            waits.append(timeout)
            if first_runs_out and self.waited < clip_module.OFFLINE_SAY_S:
                self.waited += timeout
                return self.is_set()  # the opening is held: not set by then
            let_go.set()
            return super().wait(30)

    reloads_ready_as(monkeypatch, Asked)
    return let_go, waits


def reloads_ready_as(monkeypatch, ready) -> None:
    """Each clip Reload made from now on (a ClipSource's file opened again, in its thread) gets `ready()` as the
    event the show waits on: a thread held by held_openings can never set it, so the event decides the wait."""
    from vcam.live.inputs import clip as clip_module

    class Reload(clip_module.Reload):
        def __init__(self, *args):
            super().__init__(*args)
            self.ready = ready()

    monkeypatch.setattr(clip_module, "Reload", Reload)


def with_junk(path: str, damaged: str, junk_at) -> str:
    """`path` written again as `damaged` with the packets whose index `junk_at` picks made of bytes that do not
    decode (each listed in its sample table as before, so the clip counts them)."""
    import av

    with av.open(path) as reading, av.open(damaged, "w") as out:
        stream = reading.streams.video[0]
        copy = out.add_stream_from_template(stream)
        for n, packet in enumerate(reading.demux(stream)):
            if packet.dts is None:
                continue
            if junk_at(n):
                junk = av.Packet(bytes(packet.size))
                junk.pts, junk.dts, junk.duration = packet.pts, packet.dts, packet.duration
                junk.time_base, junk.is_keyframe = packet.time_base, True
                packet = junk
            packet.stream = copy
            out.mux(packet)
    return damaged


class Capture:
    """An output that keeps every frame sent to it (`captured`)."""

    def __init__(self, name):
        self.name, self.frames, self.closed = name, [], False

    def send(self, frame, tick):
        self.frames.append(frame.copy())

    def close(self):
        self.closed = True


def offered_yaml(message: str, after: str):
    """The YAML a message offers to write after `after` (`write - {name: a, …}`), up to the message's end or a
    ` (` that follows it: the first such span that loads, as a paste of it would. Fails where none does."""
    import yaml

    start = message.index(after) + len(after)
    for end in range(start + 1, len(message) + 1):
        if end < len(message) and not message.startswith(" (", end):
            continue
        try:
            yaml.safe_load(message[start:end])
        except yaml.YAMLError:
            continue
        return message[start:end]
    raise AssertionError(f"no YAML that loads after {after!r} in {message!r}")


def midi_setup_read(opts, show, replaying, say):
    """vcam.live.parts.midi_setup given the map read once before it, as vcam run reads it as it starts."""
    from vcam.live.parts import MapRead, midi_setup

    return midi_setup(opts, show, replaying, say, MapRead(opts, show))


def early_midi_read(opts, show, replaying):
    """vcam.live.parts.early_midi given the map read once before it, as vcam run reads it as it starts."""
    from vcam.live.parts import MapRead, early_midi

    return early_midi(opts, show, replaying, MapRead(opts, show))


def map_reads(monkeypatch, maps) -> list:
    """The paths `maps` (midimap.MAPS, oscmap.MAPS) reads from now on, load_map's and map_named's alike, in order."""
    reads = []
    real = maps.load

    def counted(path, *args, **kw):
        reads.append(path)
        return real(path, *args, **kw)

    monkeypatch.setattr(maps, "load", counted)
    return reads
