#!/usr/bin/env bash
# On a bare CUDA machine: install the carried wheels (scripts/fetch_gpu_wheels.sh put them in .whl/), then run
# every GPU check and the benchmark matrix, printing a short table (what would not end within 540 s of the start
# is skipped; --quick: the main rows only; --compiled: the compiled rows only). Results are saved to $OUT/gpu_check.json after every step.
set -uo pipefail
cd "$(dirname "$0")/.."
export GPU_CHECK_START=${GPU_CHECK_START:-$(date +%s)}  # the deadline counts the installs and imports too
if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        .whl/*.whl && export PYTHONPATH=/tmp/site:${PYTHONPATH:-}
fi
export PYTHONUNBUFFERED=1
out=${OUT:-/tmp}
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  # the attention bias's CUDA checks against a masked softmax (pytest is on the device; cut short if it hangs)
  timeout 150 python3 -m pytest -q -p no:cacheprovider tests/test_attention_bias.py -k cuda
  python3 scripts/gpu_check.py --out "$out/gpu_check.json" "$@"; } 2>&1 | tee "$out/gpu_check.log"
