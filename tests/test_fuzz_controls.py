"""Every way a command reaches a running show, fed seeded random input: typed lines (and the bytes a console reads),
MIDI messages through the shipped maps, OSC messages and datagrams, show and map files mutated out of shape, and
the network's messages at either end. Whatever comes in is answered in words (a reply, an error line, a refusal,
a problem by line) and the show goes on: nothing raises past its entry point but the error that entry point says,
and no answer is Python's own words for a failure inside vcam.

Each case is made from `random.Random(seed)`: a failure names its seed, and comes back the same way."""
import copy
import io
import json
import math
import random
import struct
import threading

import cv2
import mido
import numpy as np
import pytest
import yaml
from pythonosc.osc_packet import OscPacket

from helpers import RecordingProducer, in_thread
from vcam.control.commands import USAGE, CommandError, parse, quantum_beats
from vcam.control.console import Console
from vcam.control.controller import Controller, ShowState
from vcam.control.cues import CueList
from vcam.control.media import Refused
from vcam.control.midi import UNHEARD, MidiRouter
from vcam.control.midiclock import MidiClock
from vcam.control.midimap import MAPS_DIR as MIDI_MAPS
from vcam.control.midimap import load_map as load_midi_map
from vcam.control.oscpackets import readable
from vcam.control.oscrouter import OscRouter, Unfit
from vcam.control.oscmap import MAPS_DIR as OSC_MAPS
from vcam.control.oscmap import load_map as load_osc_map
from vcam.control.show import parse_show
from vcam.control.tempo import Tempo
from vcam.control.yamlproblems import ConfigError
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import answers
from vcam.remote import protocol as proto
from vcam.remote.camscreen import CamScreen
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link
from vcam.remote.intake import Dropped
from vcam.remote.attach import attachment
from vcam.remote.served import ServedClient
from vcam.remote.server import ServeSettings

EXAMPLE = MIDI_MAPS.parent / "example.yaml"
SHOW = parse_show(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
MIDI_MAP_FILES = sorted(MIDI_MAPS.glob("*.yaml"))
OSC_MAP_FILES = sorted(OSC_MAPS.glob("*.yaml"))
# Python's words for a failure inside vcam, which an answer to the operator never holds
RAW = ("Traceback", "could not convert", "invalid literal", "has no attribute", "not supported between",
       "unhashable", "NoneType", "index out of range", "object is not", "cannot convert float", " failed (")
DEADLINE_S = 60.0  # a loop that never ends fails its test rather than stalling the run


class Clock:
    """The tempo's and the controller's clock, moved by hand."""

    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def show_controller(clock: Clock, said: list | None = None) -> Controller:
    """The example show's controller with a tempo, its cue list, and changes on the beat landing where the tempo's
    next boundary says (a stand-in for the live quantizer, asking the tempo as it does)."""
    said = said if said is not None else []
    tempo = Tempo(clock=clock)
    producer = RecordingProducer()

    def land(spec: str) -> int | None:
        boundary = tempo.next_boundary(quantum_beats(spec, tempo.beats_per_bar))
        return None if boundary is None else producer.blocks + 1

    ctl = Controller(SHOW, ShowState(prompts=SHOW.presets[0].prompts, preset=0), producer, threading.Event(),
                     said.append, tempo=tempo, land=land, clock=clock)
    ctl.cues = CueList(SHOW.cues, ctl.handle_line, said.append, clock=clock, tempo=tempo)
    return ctl


def check_answer(answer, case) -> None:
    """An answer is None, UNHEARD (a MIDI message no control of the map is on) or words; an error says what is wrong,
    in vcam's words."""
    assert answer is None or answer is UNHEARD or isinstance(answer, str) and answer.strip(), case
    if answer and answer.startswith("error"):
        assert answer.removeprefix("error").strip(" :"), case
    assert not any(raw in (answer or "") for raw in RAW), (case, answer)


def within_deadline(fn) -> None:
    """Runs fn in a thread: a case that never ends fails the test, its exception is raised here."""
    thread, errors = in_thread(fn)
    thread.join(DEADLINE_S)
    assert not thread.is_alive(), "a case did not end (its seed is the last one reached)"
    if errors:
        raise errors[0]


# --- typed commands -------------------------------------------------------------------------------------------

ODD_ARGS = ["", "0", "-1", "1", "0.5", "1e309", "-1e309", "inf", "-inf", "nan", "1e-320", "9" * 40, "-" + "9" * 40,
            str(2**63), str(2**63 - 1), "0x10", "1_000", "١٢", "½", "²", "𝟙", "Ⅻ", "\x00", "\x1b[A", "\u200b",
            "\u202e", "\ufeff", "\xa0", "\u3000", "\u2028", "'", '"', "'a", '"a b"', "'a' 'b'", "\\", "@", "@bar",
            "@beat", "@off", "@0", "@-1", "@nan", "@inf", "@1e309", "@1e-300", "@5e-324", "@0.001", "@65", "@64",
            "@0.0625", "@ bar", "@@", "a@b", "#", "# x", "none", "camera", "camera:", "camera:-1", "camera:" + "9" * 20,
            "file:", "file:/", "file:~", "file:/nonexistent.mp4", "image:", "net", "net:", "beat", "bar", "off",
            "8 beats", "0 beats", "1e-300", "neon city", "NEON CITY", "forest dusk", "ocean", "5", "6", "a" * 2100,
            "é" * 1100]
ODD_CHARS = "abc xyz\t\"'\\@#:.-+0123456789é🎛\x00\x07\x7f\u200b\u2028\xa0\r"


def odd_word(rng: random.Random) -> str:
    return "".join(rng.choice(ODD_CHARS) for _ in range(rng.randint(0, 12)))


def typed_line(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return odd_word(rng)
    name = rng.choice(list(USAGE))
    name = name.upper() if rng.random() < 0.1 else name
    args = [rng.choice(ODD_ARGS) if rng.random() < 0.8 else odd_word(rng) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
    return rng.choice([" ", "\t", "  ", "\xa0"]).join([name, *args]) + rng.choice(["", "", " ", "\r", " @bar"])


def test_typed_lines_are_answered_in_words_from_the_console_and_the_network():
    def run():
        for seed in range(150):
            rng = random.Random(seed)
            clock = Clock()
            ctl = show_controller(clock)
            if rng.random() < 0.7:  # a tempo: changes on the beat look for their boundary
                ctl.handle_line(rng.choice(["bpm 120", "bpm 20", "bpm 300"]), "stdin")
            if rng.random() < 0.3:
                ctl.handle_line(rng.choice(["quantize bar", "quantize 0.5", "quantize 64"]), "stdin")
            for _ in range(10):
                line = typed_line(rng)
                clock.t += rng.choice([0.0, 0.01, 0.5, 3.0])
                check_answer(ctl.handle_line(line, "stdin"), (seed, line))
                try:
                    check_answer(ctl.handle_line(line, "net", network=True), (seed, line))
                except Refused as e:  # the network's own refusal: its sender hears it
                    assert str(e).strip() and e.detail.strip(), (seed, line)
            ctl.close()

    within_deadline(run)


def test_bytes_on_stdin_are_answered_line_by_line_and_reading_goes_on():
    rng = random.Random(7)
    chunks = []
    for _ in range(400):
        kind = rng.random()
        if kind < 0.6:
            chunks.append(typed_line(rng).encode("utf-8", errors="surrogatepass"))
        elif kind < 0.9:
            chunks.append(bytes(rng.randrange(256) for _ in range(rng.randrange(60))))
        else:
            chunks.append(b"x" * rng.choice([16_000, 20_000]))  # past a line's limit
    said: list[str] = []
    ctl = show_controller(Clock(), said)
    console = Console(ctl.handle_line, said.append, source=io.BytesIO(b"\n".join(chunks) + b"\nstatus\n"))
    console.start()
    console._thread.join(DEADLINE_S)
    assert not console._thread.is_alive()
    assert said[-1].startswith("end of piped input")
    assert " | seed " in said[-2]  # the status, after everything before it
    for line in said:
        check_answer(line, line)


# --- MIDI -----------------------------------------------------------------------------------------------------

EDGES = {"channel": [0, 15], "note": [0, 36, 127], "velocity": [0, 1, 127], "control": [0, 64, 127],
         "value": [0, 63, 64, 127], "program": [0, 4, 5, 127], "pitch": [-8192, 0, 8191], "pos": [0, 1, 16383],
         "frame_type": [0, 7], "frame_value": [0, 15], "song": [0, 127]}
LIMITS = {"channel": (0, 15), "pitch": (-8192, 8191), "pos": (0, 16383), "frame_type": (0, 7), "frame_value": (0, 15)}


def midi_message(rng: random.Random, mapping) -> mido.Message:
    """A message of any type mido has, with edge values; a control or note the map binds, more often than not."""
    kind = rng.choice(list(mido.messages.specs.SPEC_BY_TYPE))
    bound = [(e.cc, e.channel) for e in mapping.knobs] + [(e.note if e.cc is None else e.cc, e.channel)
                                                           for e in mapping.buttons]
    number, channel = rng.choice(bound) if bound and rng.random() < 0.7 else (None, None)
    values = {}
    for name in mido.messages.specs.SPEC_BY_TYPE[kind]["value_names"]:
        if name == "data":
            values[name] = [rng.randrange(128) for _ in range(rng.choice([0, 1, 300]))]
        elif name in ("control", "note") and number is not None:
            values[name] = number
        elif name == "channel" and channel is not None:
            values[name] = channel
        elif name in EDGES:
            lo, hi = LIMITS.get(name, (0, 127))
            values[name] = rng.choice(EDGES[name]) if rng.random() < 0.6 else rng.randint(lo, hi)
    return mido.Message(kind, **values)


@pytest.mark.parametrize("map_file", MIDI_MAP_FILES + [None], ids=lambda p: p.stem if p else "show")
def test_midi_messages_of_every_type_through_each_map_are_answered_in_words(map_file):
    mapping = load_midi_map(map_file) if map_file else SHOW.midi
    for seed in range(40):
        rng = random.Random(seed)
        clock = Clock()
        ctl = show_controller(clock)
        router = MidiRouter(mapping, ctl, clock=MidiClock(ctl.tempo))
        for _ in range(25):
            msg = midi_message(rng, mapping)
            clock.t += rng.choice([0.0, 1 / 48, 0.5, 30.0])
            check_answer(router.handle(msg), (seed, str(msg)))
        ctl.close()


# --- OSC ------------------------------------------------------------------------------------------------------

OSC_VALUES = [0, 1, -1, 0.0, 0.5, 1.0, 0.49999, -0.0, 2**31 - 1, -2**31, 2**63 - 1, 1e308, 3.4e38, 1e-45,
              math.inf, -math.inf, math.nan, True, False, None, "", "x", "1", "0.5", "nan", "@bar", "neon city",
              "a b", "'", "\x00", "é🎛", "a" * 5000, b"", b"\x00\xff", [], [1, 2], (1, 2, 3, 4)]


def osc_addresses(mapping) -> list[str]:
    return ([f"/vcam/{name}" for name in USAGE] + ["/VCAM/PRESET", "/vcam/", "/vcam", "/vcam/nope", "/", "",
                                                    "/vcam/preset/more"]
            + [e.address for e in mapping.faders + mapping.buttons])


def check_osc(router: OscRouter, address: str, values: list, case) -> None:
    try:
        answers = router.handle(address, values, "192.0.2.1:9000")
    except Unfit as e:  # said on the terminal as it is
        check_answer(str(e), case)
        return
    for answer in answers:
        check_answer(answer, case)


@pytest.mark.parametrize("map_file", OSC_MAP_FILES, ids=lambda p: p.stem)
def test_osc_messages_of_any_values_to_every_address_are_answered_in_words(map_file):
    mapping = load_osc_map(map_file)
    addresses = osc_addresses(mapping)
    for seed in range(60):
        rng = random.Random(seed)
        ctl = show_controller(Clock())
        router = OscRouter(mapping, ctl)
        for _ in range(25):
            address = rng.choice(addresses)
            values = [rng.choice(OSC_VALUES) for _ in range(rng.choice([0, 1, 1, 1, 2, 3, 20]))]
            check_osc(router, address, values, (seed, address, values))
        ctl.close()


def _padded(data: bytes) -> bytes:
    return data + b"\x00" * (4 - len(data) % 4)


def osc_datagram(rng: random.Random, address: str) -> bytes:
    """An OSC message as it arrives on the port: values of every type tag python-osc reads, edge values, at times
    cut short."""
    tags, data = "", b""
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        tag = rng.choice("ihfdsbrmtTFN")
        tags += tag
        if tag == "i":
            data += struct.pack(">i", rng.choice([0, 1, -1, 2**31 - 1, -2**31]))
        elif tag == "h":
            data += struct.pack(">q", rng.choice([0, 1, 2**63 - 1, -2**63]))
        elif tag in "fd":
            data += struct.pack(">" + tag, rng.choice([0.0, 0.5, 1.0, -0.0, math.nan, math.inf, -math.inf, 3e38]))
        elif tag == "s":
            data += _padded(rng.choice(["", "x", "1", "nan", "neon city", "é"]).encode())
        elif tag == "b":
            data += struct.pack(">i", 4) + bytes(4)
        elif tag in "rmt":
            data += bytes(rng.randrange(256) for _ in range(8 if tag == "t" else 4))
    datagram = _padded(address.encode()) + _padded(("," + tags).encode()) + data
    return datagram[:rng.randrange(len(datagram) + 1)] if rng.random() < 0.1 else datagram


def test_osc_datagrams_as_python_osc_reads_them_are_answered_in_words():
    mapping = load_osc_map(OSC_MAP_FILES[0])
    addresses = osc_addresses(mapping)
    for seed in range(60):
        rng = random.Random(seed)
        ctl = show_controller(Clock())
        router = OscRouter(mapping, ctl)
        for _ in range(25):
            datagram = osc_datagram(rng, rng.choice(addresses))
            try:  # the input's own guard: what fails here is said as not OSC (OscInput._datagram)
                assert readable(datagram)
                messages = [timed.message for timed in OscPacket(datagram).messages]
            except Exception:  # noqa: BLE001 - whatever python-osc refuses, the input refuses
                continue
            for msg in messages:
                check_osc(router, msg.address, list(msg.params), (seed, datagram))
        ctl.close()


# --- show and map files -----------------------------------------------------------------------------------------

ODD_VALUES = [None, True, False, 0, -1, 2**70, 1.5, math.nan, math.inf, "", " ", "x", "a" * 3000, [], {}, [None],
              {"a": None}, [[[[]]]], "1:30", "99999999:00", "~", "@bar", "preset 99", "blend 1 2 nan",
              "quantize 1e-300",
              "input file:/nonexistent", "image:/nonexistent.png", "none", "net", {"bar": -1}, {"bar": None},
              [1, 2, 3], ["a", "b"], [0.1, 0.9], [1, 0], "64x64", "0x0", "99999x99999", "exp", "é🎛", "\x00",
              "preset\xa0ocean", "go", "quit"]
KEYS = ["name", "do", "at", "wait", "bar", "cc", "note", "program", "param", "command", "release", "address", "arg",
        "range", "between", "curve", "channel", "map", "port", "ignore", "prompt", "prompts", "text", "weight", "z"]
TEXT_EDITS = [
    *(lambda rng, t, tag=tag: t.replace(": ", f": {tag} ", 1)
      for tag in ("!!int", "!!binary", "!!python/object:os.system", "!!timestamp", "!!float", "!custom", "!!set",
                  "!!str", "!!null", "!!map")),
    lambda rng, t: "\n".join(line for line in t.splitlines() if rng.random() > 0.1),
    lambda rng, t: "\n".join(line * rng.choice([1, 1, 2]) for line in t.splitlines()),
    lambda rng, t: t[:rng.randrange(len(t) + 1)],
    lambda rng, t: (lambda i: t[:i] + rng.choice(["\t", "\x00", "\ufeff", "'", '"', "[", "{", "- ", ": ", "&a ",
                                                  "*a", "---\n", "? ", "|", "!", "\\", "\u2028"]) + t[i:])(
        rng.randrange(len(t) + 1)),
    lambda rng, t: ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                    + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcde", "bcdef")) + t),
    lambda rng, t: "[" * rng.choice([31, 33, 5000]) + "]" * rng.choice([0, 5000]),
    lambda rng, t: "presets: &p [{name: a, prompt: b, seed: *p}]",
    lambda rng, t: "presets:\n  - &q {name: a, prompt: b}\n  - *q\n  - {<<: *q, name: c}\n  - {<<: 3, name: e}\n",
    lambda rng, t: t.replace("name:", "? [a, b]\n  : x\n  name:", 1),
    lambda rng, t: t.replace("1", rng.choice(["1e400", "0o17", "1_0", "1:0", "2001-12-14", ".nan", "-.inf"]), 1),
]


def mutated(rng: random.Random, node):
    """`node` with one thing changed somewhere in it: a value of another type, a key dropped or added, a list
    grown, a mapping nested deeper."""
    if isinstance(node, dict) and node and rng.random() < 0.7:
        key, roll = rng.choice(list(node)), rng.random()
        if roll < 0.4:
            node[key] = mutated(rng, node[key])
        elif roll < 0.7:
            node[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif roll < 0.8:
            del node[key]
        elif roll < 0.9:
            node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            node = [node] * rng.choice([1, 2, 500])
        return node
    if isinstance(node, list) and node and rng.random() < 0.7:
        i, roll = rng.randrange(len(node)), rng.random()
        if roll < 0.5:
            node[i] = mutated(rng, node[i])
        elif roll < 0.7:
            node[i] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif roll < 0.8:
            del node[i]
        else:
            node.extend(copy.deepcopy(node[:1]) * rng.choice([1, 50]))
        return node
    return copy.deepcopy(rng.choice(ODD_VALUES))


def mutated_text(rng: random.Random, text: str) -> str:
    if rng.random() < 0.5:
        data = yaml.safe_load(text)
        for _ in range(rng.randint(1, 4)):
            data = mutated(rng, data)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(TEXT_EDITS)(rng, text)
    return text


def check_problems(e: ConfigError, case) -> None:
    """Each problem names its file and line, and says something after them (not an empty list)."""
    assert e.problems, case
    for problem in e.problems:
        path, line, message = (problem.split(":", 2) + ["", ""])[:3]
        assert path and line.isdigit() and message.strip() and not message.rstrip().endswith(":"), (case, problem)
        assert not any(raw in message for raw in RAW), (case, problem)


def test_mutated_show_files_are_refused_by_line_or_reloaded_into_a_running_show(tmp_path):
    source = EXAMPLE.read_text(encoding="utf-8")
    path = str(tmp_path / "show.yaml")
    for seed in range(250):
        rng = random.Random(seed)
        text = mutated_text(rng, source)
        try:
            show = parse_show(text, path)
        except ConfigError as e:
            check_problems(e, seed)
            continue
        ctl = show_controller(Clock())  # the reload: the running show takes it, and its controls go on
        ctl.replace_show(show)
        for line in ("next", "prev", "go", "back", "blend 1 2 0.7", "status", "preset 1"):
            check_answer(ctl.handle_line(line, "stdin"), (seed, line))
        ctl.close()


@pytest.mark.parametrize("map_file", MIDI_MAP_FILES + OSC_MAP_FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_mutated_map_files_are_read_or_refused_by_line(map_file, tmp_path):
    load = load_midi_map if map_file.parent == MIDI_MAPS else load_osc_map
    source = map_file.read_text(encoding="utf-8")
    path = tmp_path / "map.yaml"
    for seed in range(60):
        path.write_text(mutated_text(random.Random(seed), source), encoding="utf-8", errors="surrogatepass")
        try:
            load(path)
        except ConfigError as e:
            check_problems(e, seed)


# --- the network ------------------------------------------------------------------------------------------------

SCALARS = [None, True, False, 0, -1, 2**64, 0.5, 1e308, "", "x", "preset 2", "status", "next @bar", "freeze @1e-300",
           "input file:/etc/passwd", "a" * 9000, "é🎛\x00", "live", "freeze", "blackout", "ping", "state"]
FIELDS = ["type", "line", "t", "latency", "server", "text", "state", "message", "width", "height", "fps", "fit",
          "seed", "steps", "transition", "screen", "screen_at", "presets", "input", "strength", "bias", "blend",
          "blend_knob", "preset", "preset_removed", "block", "bpm", "beat", "status"]


def json_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 3 and roll < 0.15:
        return [json_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))]
    if depth < 3 and roll < 0.25:
        return {rng.choice(FIELDS): json_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    return rng.choice(SCALARS)


def text_message(rng: random.Random, types: list[str]) -> str:
    if rng.random() < 0.05:
        return rng.choice(["", "{", "[]", "null", '{"type": 1}', "[" * 5000 + "]" * 5000, '{"type": "ping", "t": NaN}',
                           '{"type": "pong", "t": 1, "server": Infinity}', '{"type":"command","line":"preset 2"'])
    data = {"type": rng.choice(types), **{rng.choice(FIELDS): json_value(rng) for _ in range(rng.randint(0, 4))}}
    text = json.dumps(data)
    return text[:rng.randrange(len(text) + 1)] if rng.random() < 0.1 else text


def _jpeg(width: int, height: int) -> bytes:
    return cv2.imencode(".jpg", np.zeros((height, width, 3), np.uint8))[1].tobytes()


def binary_message(rng: random.Random, header: bytes, size: int) -> bytes:
    """A frame cut short, with its header's fields at their edges, or random bytes; never a damaged JPEG body,
    which libjpeg complains of on the terminal itself."""
    data = header + _jpeg(64, 48)
    roll = rng.random()
    if roll < 0.4:
        return data[:rng.randrange(len(data) + 1)]
    if roll < 0.8:  # a field of the header at its lowest or highest
        at = rng.randrange(4, size)
        count = rng.randint(1, min(8, size - at))
        return data[:at] + bytes([rng.choice([0, 255])]) * count + data[at + count:]
    return bytes(rng.randrange(256) for _ in range(rng.choice([0, 4, 20, 40])))


class Uploads:
    def push(self, frame, at=None) -> None:
        pass


def test_client_messages_to_vcam_serve_get_an_answer_and_bad_frames_a_reason():
    server = attachment(ServeSettings(port=0))(show_controller(Clock()), lambda line: None, Uploads(), "crop")
    server.intake.size = (64, 48)
    header = proto.INPUT_HEADER.pack(proto.INPUT_MAGIC, 1, 0.0, 64, 48)
    types = ["ping", "stats", "command", "send", "send_stop", "state", "nope"]
    for role in ("control", "watch"):
        client = ServedClient(None, role, "192.0.2.1:50000")
        try:
            for seed in range(600):
                rng = random.Random(seed)
                if rng.random() < 0.8:
                    message = text_message(rng, types)
                    answer = answers.answer(server, message, client)
                    if answer is not None and json.loads(answer)["type"] == "error":
                        check_answer("error: " + json.loads(answer)["message"], (seed, message))
                    continue
                server.intake.ask(client)
                try:
                    server.intake.frame(client, binary_message(rng, header, proto.INPUT_HEADER.size))
                except Dropped as e:  # the client is closed with this reason
                    assert e.reason.strip(), seed
        finally:
            client.close()


def test_server_messages_to_vcam_cam_keep_its_connection_and_its_knobs_in_words():
    header = proto.HEADER.pack(proto.MAGIC, 1, 0, 0, 1, 0.0, 64, 48)
    knobs = load_midi_map(MIDI_MAPS / "nanokontrol2.yaml")
    types = ["pong", "state", "reply", "send_ok", "send_refused", "ok", "error", "nope"]
    for seed in range(1500):
        rng = random.Random(seed)
        if seed % 25 == 0:
            remote = RemoteController(lambda line: True)
            link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), remote, lambda line: None,
                        screen=CamScreen())
            router = MidiRouter(knobs, remote)
        message = text_message(rng, types) if rng.random() < 0.8 else binary_message(rng, header, proto.HEADER.size)
        link._receive(message)  # raising here ends the connection
        for cc in (0, 16, 17, 18, 19):
            check_answer(router.handle(mido.Message("control_change", control=cc, value=rng.randrange(128))),
                         (seed, message))


# --- what the inputs above found --------------------------------------------------------------------------------

def test_a_nan_from_an_osc_fader_is_refused_and_never_reaches_the_stream():
    """A float NaN (an OSC 'f' of NaN bits) on a blend fader put NaN weights on air, failing the stream a block
    later; on a whole-number fader it came out as Python's "cannot convert float NaN to integer"."""
    ctl = show_controller(Clock())
    router = OscRouter(load_osc_map(OSC_MAPS / "touchosc-simple.yaml"), ctl)
    assert router.handle("/1/fader1", [0.0]) == ["blend 'neon city' / 'ocean' at 0.00 (over 4 blocks)"]
    before = list(ctl.generator.actions)
    for address in ("/1/fader1", "/1/fader3"):
        with pytest.raises(Unfit, match="must be a number .* not nan"):
            router.handle(address, [math.nan])
    assert ctl.generator.actions == before and ctl.state.blend == (0, 1, 0.0)


@pytest.mark.parametrize("line", ["freeze @5e-324", "next @1e-300", "quantize 1e-300", "seed 3 @0.001"])
def test_a_beat_grid_finer_than_a_64th_note_is_refused_in_words(line):
    """`freeze @1e-300` looked for a next boundary on a grid floats cannot count, without end and with the
    controls' lock held: every control of the show hung; `@5e-324` raised OverflowError."""
    with pytest.raises(CommandError, match="out of range"):
        parse(line)
    clock = Clock()
    ctl = show_controller(clock)
    ctl.handle_line("bpm 120", "stdin")
    clock.t += 1000.3
    assert "out of range" in ctl.handle_line(line, "stdin")


def test_a_space_of_another_kind_separates_words_as_a_space_does():
    """A no-break space (Option-Space on a Mac, text copied from a page) was dropped: `preset\\xa0ocean` was the
    unknown command 'presetocean', and `prompt a\\xa0neon city` generated "aneon city"."""
    assert parse("preset\xa0ocean") == parse("preset ocean")
    assert parse("prompt a\xa0neon\u3000city").args == ("a neon city",)
    assert parse("prompt zero\u200bwidth").args == ("zerowidth",)  # prints nothing, separates nothing


def test_a_show_without_presets_says_so_and_names_no_preset_missing_from_an_empty_list():
    text = "cues: [{do: preset city}]\nmidi: {controls: [{cc: 1, command: preset 2}]}\n"
    for presets in ("", "presets: []\n", "presets: 3\n"):
        with pytest.raises(ConfigError) as e:
            parse_show(presets + text, "show.yaml")
        assert len(e.value.problems) == 1 and "presets" in e.value.problems[0], e.value.problems
        assert "no preset named" not in e.value.problems[0]


def test_vcam_cam_keeps_its_connection_and_knobs_through_a_state_of_another_shape():
    """A state, reply or pong whose values are of another type (a server of another version, a garbled message)
    raised in the link's thread, which ended the connection (and again at every state), or failed each knob
    turned after it with Python's words."""
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), remote, lambda line: None, screen=CamScreen())
    link._receive(proto.text("state", seed=5, steps=4, transition=4, presets=["a", "b"], preset="a", blend=None))
    for garbled in (proto.text("state", blend=7, seed="x", steps=[1], presets="ab", preset=3, strength=None),
                    proto.text("reply", text="ok", state="not a state"), proto.text("pong", t=1.0),
                    proto.text("pong", t=1.0, server="noon")):
        link._receive(garbled)
    assert (remote.state.seed, remote.state.steps, remote.state.presets, remote.state.blend) == (5, 4, ["a", "b"], None)
    assert link.offset == 0.0
    router = MidiRouter(load_midi_map(MIDI_MAPS / "nanokontrol2.yaml"), remote)
    for value in (0, 10):  # the blend fader: picked up at 0, then moved
        assert router.handle(mido.Message("control_change", control=0, value=value)) is None
    assert sent == ["blend a b 0 @off", "blend a b 0.0787402 @off"]


@pytest.mark.parametrize("line", ["bpm " + "a" * 4000, "seed " + "9x" * 2000, "blend a b " + "z" * 3000,
                                  "q" * 3000])
def test_an_error_says_back_at_most_the_start_of_what_was_typed(line):
    """`bpm aaaa…` of a pasted paragraph was said back whole in its error: 4 000 characters on the operator's
    terminal (and in each vcam cam's) for one typo."""
    with pytest.raises(CommandError) as e:
        parse(line)
    assert len(str(e.value)) < 200 + len(USAGE.get(line.split()[0], "")) and "…" in str(e.value)


def test_a_server_error_without_a_message_is_said_as_such():
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append,
                screen=CamScreen())
    for message in (proto.text("error"), proto.text("error", message=None), proto.text("error", message=" "),
                    proto.text("error", message="a stats message needs a \"latency\" in seconds")):
        link._receive(message)
    assert said == ["server: error (it gave no message)"] * 3 + [
        "server: error: a stats message needs a \"latency\" in seconds"]
