"""An error as the command line says it on stderr: one line, and the fix under it where there is one."""
from __future__ import annotations

import sys

from vcam.errors import VcamError


def internal_error(e: BaseException) -> None:
    print(f"vcam: error: {e.__class__.__name__}: {e}", file=sys.stderr)
    print("  (set VCAM_DEBUG=1 for the full traceback)", file=sys.stderr)


def say_error(e: VcamError) -> None:
    print(f"vcam: error: {e.message}", file=sys.stderr)
    if e.fix:
        print(f"  fix: {e.fix}", file=sys.stderr)
