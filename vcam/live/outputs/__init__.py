"""Where frames go: one `Output` interface (base.py), a registry of openers by kind, one file per output (camera,
recording, preview, null), the `--out` grammar (spec.py) and a worker thread per output (worker.py)."""
from vcam.live.outputs.base import OPENERS, Output, open_output
from vcam.live.outputs.null import NullOutput
from vcam.live.outputs.spec import KINDS, OutputSpec, parse_spec
from vcam.live.outputs.worker import OutputWorker, close_workers, open_outputs, report_outputs

__all__ = ["KINDS", "OPENERS", "NullOutput", "Output", "OutputSpec", "OutputWorker", "close_workers", "open_output",
           "open_outputs", "parse_spec", "report_outputs"]
