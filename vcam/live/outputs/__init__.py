"""Where frames go: one `Output` interface and a registry of openers by kind (base.py), one file per output
(camera, recording, preview, null), what the camera knows of the v4l2loopback devices it writes to on Linux
(v4l2loopback.py), and a worker thread per output (worker.py). The `--out` grammar is `vcam.outspec`, shared with
show files."""
from vcam.live.outputs.base import OPENERS, Output, open_output
from vcam.live.outputs.null import NullOutput
from vcam.live.outputs.worker import (NoDisplay, OutputWorker, close_workers, leave_workers, open_outputs,
                                      report_outputs, show_ender)
from vcam.outspec import FITS, KINDS, OutputSpec, parse_spec

__all__ = ["FITS", "KINDS", "OPENERS", "NoDisplay", "NullOutput", "Output", "OutputSpec", "OutputWorker",
           "close_workers", "leave_workers", "open_output", "open_outputs", "parse_spec", "report_outputs",
           "show_ender"]
