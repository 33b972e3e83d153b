#!/usr/bin/env bash
# On a bare CUDA machine: install the carried wheels (scripts/fetch_gpu_wheels.sh put them in .whl/), then run
# every GPU check and the benchmark matrix, printing a short table (what would not end within 540 s of the start
# is skipped; a step still running 45 s past that is cut short and the table printed; --quick: the main rows only;
# --compiled: the compiled rows only). $OUT/gpu_check.json and $OUT/gpu_check.md (the tables for BENCHMARKS.md)
# are written after every step, with the 832x480 bf16 rows' profiled blocks as $OUT/trace-*.json.gz (read them with
# python scripts/split_trace.py); $OUT/gpu_check.log holds the whole output. Exit 4: every step ran but the attention
# bias's CUDA tests did not pass.
set -uo pipefail
cd "$(dirname "$0")/.."
export GPU_CHECK_START=${GPU_CHECK_START:-$(date +%s)}  # the deadline counts the installs and imports too
export PYTHONUNBUFFERED=1
out=${OUT:-/tmp}
py=${PYTHON:-python3}  # the device's python3 holds torch; the tests name theirs
mkdir -p "$out"
{
  if ls .whl/*.whl >/dev/null 2>&1; then
      "$py" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
          .whl/*.whl && export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
  fi
  # Before any GPU time goes to the rest: without diffusers no engine can be built
  if ! "$py" -c 'import diffusers' 2>/dev/null; then
      echo "gpu_check: diffusers does not import: run bash scripts/fetch_gpu_wheels.sh here and carry .whl"
      exit 1
  fi
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  # the attention bias's CUDA checks against a masked softmax (pytest is on the device; cut short if it hangs)
  timeout 150 "$py" -m pytest -q -p no:cacheprovider tests/test_attention_bias.py -k cuda >"$out/bias_tests.txt" 2>&1
  bias=$?
  cat "$out/bias_tests.txt"
  # its outcome is a row of the check table, and fails the whole check even where every bench row ran
  said=$(tail -n 1 "$out/bias_tests.txt" | tr -d '=' | sed 's/^ *//; s/ *$//')
  case $bias in 0) ;; 124) said="cut at 150 s";; *) said="pytest exit $bias: ${said:-no output}";; esac
  GPU_CHECK_BIAS_TESTS=$said "$py" scripts/gpu_check.py --out "$out/gpu_check.json" "$@"
  status=$?
  if [ "$status" -eq 0 ] && [ "$bias" -ne 0 ]; then
      echo "gpu_check: the attention bias's CUDA tests: $said"
      status=4
  fi
  exit "$status"
} 2>&1 | tee "$out/gpu_check.log"
