"""The `vcam` command: its options read (vcam.cmdline.parser), the subcommand's handler run (vcam.cmdline: play
for run, serve, cam and render; bench; check; tools for devices, midi, models and download), and whatever it
raised said in one line."""
from __future__ import annotations

import gc
import logging
import os
import signal
import sys

from vcam.cmdline.bench import cmd_bench, stopped_at_start
from vcam.cmdline.check import cmd_check
from vcam.cmdline.errorlines import (READER_GONE, internal_error, missing_at_start, missing_extra, output_lost,
                                     say_error, stdout_failure, stdout_gone, stdout_to_null)
from vcam.cmdline.parser import build_parser
from vcam.cmdline.play import LeftInsideABlock, cmd_cam, cmd_render, cmd_run, cmd_serve
from vcam.cmdline.tools import cmd_devices, cmd_download, cmd_midi, cmd_models
from vcam.control.yamlproblems import ConfigError
from vcam.errors import VcamError, raised_by_vcam


# Optional packages announce on import what this machine will not use; the operator's terminal keeps to what
# they can act on. VCAM_DEBUG shows it all.
IMPORT_CHATTER = ("torch.utils._pytree", "diffusers.quantizers.torchao.torchao_quantizer")


class _CPUBuildOnly(logging.Filter):
    """torchao's GPU-only extensions fail to load on a CPU build of PyTorch, as they must; on a CUDA build the
    same message means FP8 is broken, and stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        torch = sys.modules.get("torch")  # loaded by torchao, which is what logs; vcam's light side never loads it
        return torch is None or torch.version.cuda is not None


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the command line's own process (tests call main with their arguments, in theirs)
        from vcam.stdio import LEFT_AT_ONCE, guard_standard_streams, leave_at_once_on_ctrl_c, leave_now

        guard_standard_streams()
        try:
            try:
                code = _main(argv)
                _leave_mid_download(code)  # before the Ctrl-C handler below, which would leave without the line
            except LeftInsideABlock as left:
                _leave_mid_download(left.ended.code)
                leave_now(left.ended.code)
            except KeyboardInterrupt:  # a second Ctrl-C as the command returned: a transfer under way is still said
                _leave_mid_download(LEFT_AT_ONCE)
                return LEFT_AT_ONCE  # raised on, it printed a traceback
            except SystemExit as done:  # argparse's --help, its text still in stdout's buffer (a file, a pipe)
                if (failed := _stdout_flushed(gone=done.code)) is not None:
                    return failed
                raise
            finally:
                leave_at_once_on_ctrl_c()
                # Here, past every return and raise above: one that skipped it (a Ctrl-C said as exit 130, argparse's
                # exit) left the mark of a KeyboardInterrupt in exec'd code, and `python -m` ended by SIGINT
                _forget_caught_ctrl_c()
                # The interpreter's exit collected PyTorch's and the model's hundreds of thousands of objects,
                # several times over: 1-3 s after a show had ended, its outputs closed. The process is ending; the OS
                # frees them.
                gc.freeze()
        except KeyboardInterrupt:  # Ctrl-C between the finally's start and its handler taking over: raised on from
            leave_now(LEFT_AT_ONCE)  # there, it printed a traceback
        return _stdout_flushed() or code
    else:
        try:
            return _main(argv)
        except LeftInsideABlock as left:
            left.ended.settle()
            return left.ended.code


def _forget_caught_ctrl_c() -> None:
    """Python keeps a mark of a KeyboardInterrupt that left code run from a string (exec or eval of text: each
    dataclass's methods, as PyTorch's and transformers' imports make them), even one caught and said since, and
    `python -m` then ends the process by SIGINT, whatever exit code the command returned: -2 in place of vcam's
    130, after a Ctrl-C in a tune's first candidate. Running a string again clears the mark (a Ctrl-C from here on
    leaves at once: leave_at_once_on_ctrl_c)."""
    exec("")


def _leave_mid_download(code: int) -> None:
    """Leaves at once where a download is still under way (a command stopped with Ctrl-C as it fetched the weights,
    a show ended while its model was fetched), saying what is kept: the interpreter's exit waited for each file in
    transfer to finish, tens of minutes for the checkpoint."""
    hub = sys.modules.get("vcam.engine.hub")  # not imported: nothing was downloaded
    if hub is not None:
        hub.leave_mid_download(code)


def _stdout_flushed(gone=READER_GONE) -> int | None:
    """Stdout's buffer written out while its failure can still be said: left to the interpreter's exit, a full
    disk was said as "Exception ignored" with a traceback, and exit 120. The exit code where it failed (`gone`
    where its reader took what it wanted: `| head -c0`, as bench --json's), else None."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_to_null()
        return gone
    except OSError as e:
        stdout_to_null()
        say_error(output_lost() or VcamError(f"could not write the output to stdout: {e.strerror or e}"))
        return 2
    except (ValueError, AttributeError):  # closed by the command itself, or no stdout at all (pythonw)
        pass
    return None


def take_ctrl_c() -> None:
    """A Ctrl-C is a KeyboardInterrupt again, which the caller's try takes, where vcam/__main__.py's handler (leave at
    once) held it since the process started; another handler (a test's, SIG_IGN) is left as it is."""
    if getattr(signal.getsignal(signal.SIGINT), "vcam_leaves_at_once", False):
        signal.signal(signal.SIGINT, signal.default_int_handler)


# `vcam` alone: the commands and a first one to try, where argparse said only "the following arguments are
# required: command"
FIRST_STEP = "vcam: give a command; to start: vcam run --model tiny --out file:show.mp4 --duration 10"


def _main(argv: list[str] | None) -> int:
    try:
        take_ctrl_c()
        parser = build_parser()
        if not (sys.argv[1:] if argv is None else argv):
            parser.print_help(sys.stderr)
            print(f"\n{FIRST_STEP}", file=sys.stderr)
            return 2
        args = parser.parse_args(argv)
        if not os.environ.get("VCAM_DEBUG"):
            for name in IMPORT_CHATTER:
                logging.getLogger(name).setLevel(logging.ERROR)
            logging.getLogger("torchao").addFilter(_CPUBuildOnly())
        handler = {"run": cmd_run, "models": cmd_models, "download": cmd_download, "check": cmd_check,
                   "devices": cmd_devices, "midi": cmd_midi, "serve": cmd_serve, "cam": cmd_cam,
                   "bench": cmd_bench, "render": cmd_render}[args.command]
    except KeyboardInterrupt:  # Ctrl-C at once after Enter: the options' modules (numpy) are still loading
        return stopped_at_start(sys.argv[1:] if argv is None else argv)
    except ImportError as e:  # a package of the install gone (numpy, which the options' modules load)
        return missing_at_start(e)
    except SystemExit as e:
        if e.code == 0 and (lost := output_lost()) is not None:  # --help onto a full disk: argparse drops the error
            stdout_to_null()
            say_error(lost)
            return 2
        raise
    try:
        return handler(args)
    except VcamError as e:
        say_error(e)
        return 2
    except ConfigError as e:
        print(f"vcam: error in {e.what}:\n  " + "\n  ".join(e.problems), file=sys.stderr)
        return 2
    except ImportError as e:
        if os.environ.get("VCAM_DEBUG"):
            raise
        missing = missing_extra(args.command, e)
        if missing is None:
            internal_error(e)
        else:
            say_error(missing)
        return 2
    except (ValueError, OSError, RuntimeError) as e:
        if isinstance(e, BrokenPipeError) and stdout_gone():  # its reader took what it wanted, as bench --json's
            stdout_to_null()
            return READER_GONE
        if os.environ.get("VCAM_DEBUG"):
            raise
        if isinstance(e, OSError) and (failure := stdout_failure(e)) is not None:
            stdout_to_null()  # what the failed write left is not tried again as Python ends
            say_error(failure)
        elif isinstance(e, ValueError) and raised_by_vcam(e):
            print(f"vcam: error: {e}", file=sys.stderr)  # one of vcam's own checks: the message is the whole story
        elif isinstance(e, OSError) and e.filename and e.strerror:  # a path the user gave, or one made from it
            print(f"vcam: error: {e.filename}: {e.strerror}", file=sys.stderr)
        else:
            internal_error(e)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
