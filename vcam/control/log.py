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
from vcam.inspec import INPUT_FITS, check_strength, parse_input


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
    """A control log written by --log-controls; ValueError naming the line when it is not one."""
    header, actions, end = None, [], None
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise ValueError(f"cannot read control log {path}: {e}") from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{i}: not a control log line ({e.msg})") from None
        if not isinstance(entry, dict):
            raise ValueError(f"{path}:{i}: not a control log line")
        try:
            if "vcam" in entry:
                header = _header(entry["vcam"])
            elif "end" in entry:
                end = _block(entry["end"].get("blocks") if isinstance(entry["end"], dict) else None)
            elif "block" in entry and "apply" in entry:
                actions.append((_block(entry["block"]), from_dict(entry["apply"])))
            else:
                raise ValueError("not a control log line")
        except ValueError as e:
            raise ValueError(f"{path}:{i}: {e}") from None
    if header is None:
        raise ValueError(f"{path}: no header line; is this a log written by vcam run --log-controls?")
    return Replay(header, actions, end)


def _header(header: object) -> dict:
    """The starting settings, with the input they name in its canonical form; ValueError for one a replay could
    not start from."""
    if not isinstance(header, dict):
        raise ValueError(f"the header must be a mapping of settings, not {type(header).__name__}")
    header = dict(header)
    try:
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
    except ValueError as e:
        raise ValueError(f"header: {e}") from None
    return header


def _block(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"block must be a whole number from 0, not {value!r}")
    return value
