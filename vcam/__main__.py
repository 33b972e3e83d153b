import sys

try:
    from vcam.cli import main
except KeyboardInterrupt:  # Ctrl-C at once after Enter, while vcam's modules load: no traceback
    sys.exit(130)
sys.exit(main())
