#!/usr/bin/env bash
# Downloads the wheels the GPU machine lacks (its Python is 3.12 with torch, transformers, safetensors and
# huggingface_hub already there) into .whl/, which travels with the working tree to that machine.
set -euo pipefail
cd "$(dirname "$0")/.."
exclude=$(git rev-parse --git-path info/exclude)  # a worktree's .git is a file
mkdir -p "$(dirname "$exclude")" && { grep -qx '/.whl/' "$exclude" 2>/dev/null || echo '/.whl/' >> "$exclude"; }
rm -rf .whl && mkdir -p .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .whl "diffusers==0.42.1" "torchao==0.18.0" "ftfy==6.3.1" "wcwidth" \
    "sageattention==1.0.6"  # pure Python and Triton (torch's CUDA builds bring Triton): --attention-quant int8
ls -la .whl
# The working tree and .whl travel together under a 64 MiB cap; these wheels are about 11 MiB
echo "$(du -sm .whl | cut -f1) MiB in .whl: carry it with the tree;" \
    "there: GPU_CHECK_BUDGET_S=540 bash scripts/gpu_check.sh"
