"""`python -m vcam` and the `vcam` command (pyproject's console script): vcam.cli's main, with a package every
install brings said with pip's line where it is missing as vcam's modules load (pyyaml), not as a traceback.

A Ctrl-C from this module's first lines until main takes over leaves at once with exit code 130: nothing is open
yet. Raised as a KeyboardInterrupt between two lines here (before run's try, or in the console script's own lines),
it printed a traceback. This module is the command's entry, imported by nothing else."""
import os
import signal
import sys


# vcam.cmdline.bench.LOADING_STOPPED's words (a test holds them equal): nothing of vcam's is imported yet to say them
_BENCH_STOPPED = "loading stopped (Ctrl-C) before the timing began: no result"


def _leave(_sig: int, _frame) -> None:
    if _bench_json(sys.argv[1:]):  # its reader got nothing, which is no JSON: the object a later stop gives
        try:
            os.write(1, f'{{"error": "{_BENCH_STOPPED}"}}\n'.encode())
            os.write(2, f"vcam: {_BENCH_STOPPED}\n".encode())
        except OSError:  # its reader gone: nothing to say
            pass
    os._exit(130)


def _bench_json(argv: list[str]) -> bool:
    """Whether the command line is `vcam bench` with --json (or its start, --js, as argparse takes it)."""
    return argv[:1] == ["bench"] and any(len(flag) > 2 and "--json".startswith(flag)
                                         for flag in (a.split("=", 1)[0] for a in argv[1:]))


# How vcam.cli knows this handler to take over: a module name would not do, this file runs as `__main__` under
# `python -m vcam` and as `vcam.__main__` under the console script.
_leave.vcam_leaves_at_once = True  # type: ignore[attr-defined]


def _hold() -> None:
    """A Ctrl-C leaves at once (_leave) until run hands over to main; not where SIGINT is ignored (nohup, a
    background job of a script) or taken by a handler of someone else's."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _leave)


_hold()  # first: `python -m vcam` runs this module, the console script imports it, each before calling run()


def run() -> int:
    try:
        from vcam.cli import main
    except KeyboardInterrupt:  # Ctrl-C at once after Enter, while vcam's modules load: no traceback
        return 130
    except ImportError as e:
        from vcam.cmdline.errorlines import missing_at_start  # light: vcam.errors and the standard library

        return missing_at_start(e)
    return main()  # which takes Ctrl-C over inside its first try (vcam.cli.take_ctrl_c)


if __name__ == "__main__":
    sys.exit(run())
