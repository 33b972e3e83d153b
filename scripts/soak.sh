#!/usr/bin/env bash
# A long show with commands flowing: runs `vcam run presets/example.yaml --model tiny --size WxH --out null`, sends
# a command on its stdin every few seconds (presets, new prompts, seeds, blends cycling), reads its RSS and
# thread count from /proc 4 times a second, prints a row every 30 s (lowest and highest RSS, threads) and the
# verdict (flat or growing, judged by the lowest RSS of each window after a minute of warm-up). Exit code 0 flat,
# 1 growing, 2 could not run.
# Unattended (no terminal needed); Linux only. vcam's own output goes to the --log file.
#
#   scripts/soak.sh --minutes 30 --size 832x480 --every 2
#   scripts/soak.sh --minutes 4 --size 416x240 --every 1 --window 1
#
# Options (scripts/soak.sh --help lists them all): --minutes (on air, loading not counted; 30), --size (832x480),
# --every (seconds between commands; 2), --sample-every (seconds per row; 30), --warmup (minutes on air left out
# of the verdict; 1), --window (minutes; 5), --margin (MB; 64), --out (null), --show, --model (tiny), --log (vcam's
# own output; a temporary file by default).
# The Python that runs it: $PYTHON, else the repository's .venv, else python3.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-}
if [[ -z $python ]]; then
    if [[ -x .venv/bin/python ]]; then python=.venv/bin/python; else python=python3; fi
fi
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" scripts/soak.py --python "$python" "$@"
