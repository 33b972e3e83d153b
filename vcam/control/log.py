"""Control logs (--log-controls) and their replay (--replay): JSON lines, a header with the starting settings,
then every applied action with its time, block, command and source, then the number of blocks made.

The header's input, input_fit and strength (the video restyled at the start) came in with video in: a log written
before has none of them, and its replay starts text only, as the show it was made from did."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TextIO

from vcam.control.actions import Action, Origin, Quit, SetScreen, SetTempo, from_dict
from vcam.control.protocol import Producer
from vcam.bias import check_bias
from vcam.control.commands import MAX_SEED
from vcam.inspec import INPUT_FITS, check_strength, parse_input
from vcam.sizes import check_size


class ControlLog:
    def __init__(self, out: TextIO, header: dict):
        self.out = out
        self.started = time.monotonic()
        self._lock = threading.Lock()  # the generator thread and the controls' threads both write
        self._write({"vcam": header})

    def record(self, action: Action, block: int, origin: Origin) -> None:
        self._write({"t": round(time.monotonic() - self.started, 3), "block": block, "command": origin.command,
                     "source": origin.source, "apply": action.to_dict()})

    def applied(self, action: Action, block: int, origin: Origin | None) -> None:
        """A producer's listener: records what came from a command (a replayed action has no origin)."""
        if origin is not None:
            self.record(action, block, origin)

    def end(self, blocks: int) -> None:
        """The last line (how many blocks the show made: where its replay stops), then the file is closed."""
        self._write({"end": {"blocks": blocks}})
        self.out.close()

    def _write(self, entry: dict) -> None:
        with self._lock:
            self.out.write(json.dumps(entry) + "\n")
            self.out.flush()


@dataclass
class Replay:
    header: dict
    actions: list[tuple[int, Action]]  # (the block it was applied before, the action), in the log's order
    end_block: int | None

    def schedule(self, producer: Producer, state, tempo=None) -> None:
        """Hands every action to `producer` at its block; the screen's change `state.screen` there, the tempo's
        set `tempo` (a vcam.control.tempo.Tempo, as the command `bpm` does). The replay ends where the log ends,
        not at its quit."""
        def on_screen(action: Action, block: int, origin: Origin | None) -> None:
            if isinstance(action, SetScreen):
                state.screen = action.mode
            elif isinstance(action, SetTempo) and tempo is not None:
                tempo.set_bpm(action.bpm, "bpm")

        producer.on_applied(on_screen)
        for block, action in self.actions:
            if not isinstance(action, Quit):
                producer.submit(action, at_block=block)


def read_replay(path: str) -> Replay:
    """A control log written by --log-controls, read and checked whole; ValueError naming the line that is not
    what such a log holds (the header first, then actions, then at most one end line)."""
    try:
        text = open(path, encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read control log {path}: {e}") from None
    lines = text.splitlines()
    header, actions, end = None, [], None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = _entry(line, cut_short=i == len(lines) and not text.endswith("\n"))
            if header is None and "vcam" not in entry:
                raise ValueError("the log does not start with its header ({\"vcam\": {...}}, the settings the "
                                 "show started with); is this a log written by vcam run --log-controls?")
            if end is not None:
                raise ValueError(f"a line after the end line (line {end[1]}): is this two logs in one file?")
            if "vcam" in entry:
                if header is not None:
                    raise ValueError("a second header: is this two logs in one file?")
                header = _header(entry["vcam"])
            elif "end" in entry:
                end = (_block(entry["end"].get("blocks") if isinstance(entry["end"], dict) else None), i)
            elif "block" in entry and "apply" in entry:
                actions.append((_block(entry["block"]), from_dict(entry["apply"])))
            else:
                raise ValueError("not a control log line (neither the header, an action with its block and "
                                 "'apply', nor the end)")
        except ValueError as e:
            raise ValueError(f"{path}:{i}: {e}") from None
    if header is None:
        raise ValueError(f"{path}: empty, no header line; is this a log written by vcam run --log-controls?")
    return Replay(header, actions, end[0] if end else None)


def _entry(line: str, cut_short: bool) -> dict:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as e:
        if cut_short:
            raise ValueError(f"the last line is cut short ({e.msg}): the show ended while writing it; delete "
                             "that line to use the rest") from None
        raise ValueError(f"not a control log line ({e.msg})") from None
    if not isinstance(entry, dict):
        raise ValueError("not a control log line")
    return entry


def _header(header: object) -> dict:
    """The starting settings, with the input they name in its canonical form; ValueError for one a replay could
    not start from."""
    if not isinstance(header, dict):
        raise ValueError(f"the header must be a mapping of settings, not {type(header).__name__}")
    header = dict(header)
    try:
        _check_input(header)
        _check_start(header)
    except ValueError as e:
        raise ValueError(f"header: {e}") from None
    return header


def _check_input(header: dict) -> None:
    if "input" in header:
        if not isinstance(header["input"], str):
            raise ValueError(f"input must be text such as 'camera' or 'file:clip.mp4', not {header['input']!r}")
        header["input"] = str(parse_input(header["input"]))
    if "input_fit" in header and header["input_fit"] not in INPUT_FITS:
        raise ValueError(f"input_fit must be one of {', '.join(INPUT_FITS)}, not {header['input_fit']!r}")
    if "strength" in header:
        value = header["strength"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"strength must be a number from 0 to 1, not {value!r}")
        header["strength"] = check_strength(value)
    if "bias" in header:
        value = header["bias"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"bias must be a number above 0 and at most 1, not {value!r}")
        header["bias"] = check_bias(value)


def _whole(header: dict, key: str, lo: int, hi: int) -> None:
    value = header.get(key)
    if key in header and (isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi):
        raise ValueError(f"{key} must be a whole number from {lo} to {hi}, not {value!r}")


def _check_start(header: dict) -> None:
    """The settings a stream starts from, as the command line bounds them."""
    _whole(header, "seed", 0, MAX_SEED)
    _whole(header, "steps", 1, 50)
    _whole(header, "transition", 0, 1000)
    if "model" in header and not isinstance(header["model"], str):
        raise ValueError(f"model must be a model's name, not {header['model']!r}")
    if "size" in header:
        size = header["size"]
        if not (isinstance(size, list) and len(size) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in size)):
            raise ValueError(f"size must be [width, height], not {size!r}")
        check_size(*size)
    if "fps" in header:
        fps = header["fps"]
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= 240:
            raise ValueError(f"fps must be a number from 1 to 240, not {fps!r}")
    if "prompts" in header:
        prompts = header["prompts"]
        if not isinstance(prompts, dict) or not prompts or not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) for w in prompts.values()):
            raise ValueError(f"prompts must be a non-empty mapping of text to weight, not {prompts!r}")


def _block(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"block must be a whole number from 0, not {value!r}")
    return value
