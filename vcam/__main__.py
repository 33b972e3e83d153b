"""`python -m vcam` and the `vcam` command (pyproject's console script): vcam.cli's main, with a package every
install brings said with pip's line where it is missing as vcam's modules load (pyyaml), not as a traceback."""
import sys


def run() -> int:
    try:
        from vcam.cli import main
    except KeyboardInterrupt:  # Ctrl-C at once after Enter, while vcam's modules load: no traceback
        return 130
    except ImportError as e:
        from vcam.cmdline.errorlines import missing_at_start  # light: vcam.errors and the standard library

        return missing_at_start(e)
    return main()


if __name__ == "__main__":
    sys.exit(run())
