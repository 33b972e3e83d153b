"""The files a show writes, checked before anything opens: its recordings and its control log, refused where one
would write over a file the show reads (live/showreads.py) or over another, or over a file that is no control log."""
from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial

from vcam.control.log import Replay, starts_a_log
from vcam.control.show import Show
from vcam.live.outputs.paths import Written, check_outputs, given_output
from vcam.live.settings import RunOptions, ShowSettings
from vcam.live.showreads import read_files


def check_written(opts: RunOptions, cfg: ShowSettings, show: Show | None, replay: Replay | None,
                  given: Sequence = ()) -> None:
    """The files the show writes, checked before anything opens (live/outputs/paths.py): a recording that cannot
    be made, or a recording or the control log that would write over a file the show reads or over each other, is
    refused. An older file replaced is said later, once nothing but the model's load can stop the start
    (`OlderTakes`): it is replaced only as the show goes on air (the log, ControlLog) or records (a recording)."""
    writes = [Written(f"--log-controls {opts.log_controls}", opts.log_controls,
                      "give --log-controls a new file, or an older log to replace (like show.jsonl)",
                      keeps=_no_log_in)] if opts.log_controls else []
    # the outputs are --out's where it is given, else the show file's out: list
    named = given_output if opts.outs is not None else partial(show_output_written, opts.show)
    writes += [named(spec) for spec in cfg.outs if spec.kind == "file"]
    check_outputs(cfg.outs, writes, read_files(opts, cfg, show, replay, given), None, named=named)


def _no_log_in(path: str) -> str | None:
    """Why the file at `path` must not be replaced by a control log (None: it holds an older log, or nothing):
    `vcam run --log-controls show.yaml`, a slip for `vcam run show.yaml --log-controls ...`, replaced the show file
    with the log, said only as `replacing show.yaml`."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)  # not a line: UTF-16's newline is two bytes, a line's end splits it
    except OSError:  # opening it for the log says why
        return None
    if not head.strip() or starts_a_log(head):
        return None
    kind = {".yaml": "a show file?", ".yml": "a show file?", ".mp4": "a recording?"}.get(
        os.path.splitext(path)[1].lower(), "its first line is not a log's header")
    return f"it is not a control log ({kind})"


def show_output_written(path: str, spec) -> Written:
    """An output a show file's out: names (a recording, a camera), as messages name it."""
    return Written(f"the output {spec} of {path}", spec.target, f"change the output's out: path in {path}, or give "
                                                                "--out")
