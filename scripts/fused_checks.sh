#!/usr/bin/env bash
# The fused Triton lattice step on a CUDA GPU, through the package: its correctness tests, the dialogue preset
# trained with model.kernel torch and triton (the two test tables), and the benchmark's GPU case (compiled torch,
# fused, eager). Run from the repository root:   OUT=results scripts/fused_checks.sh
set -uo pipefail
OUT=${OUT:-$PWD}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
$PY -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)' | tee -a "$OUT/gpu.txt"
echo "== tests"
$PY -m pytest -q -p no:cacheprovider tests/test_fused.py 2>&1 | tail -25 | tee "$OUT/tests.log"
echo "== the dialogue preset, model.kernel torch and triton (CUDA, bf16)"
for k in torch triton; do
  $PY -c 'import sys; from embedding_trainer.cli import train_cli; sys.exit(train_cli())' --config dialogue --quiet \
      --out "/tmp/dialogue_$k" --set train.device=cuda train.precision=bf16 model.kernel=$k 2>&1 | tail -40 \
      | tee "$OUT/dialogue_$k.log"
done
echo "== benchmark (GPU case: compiled torch, fused, eager)"
$PY -c 'import sys; from embedding_trainer.bench import bench_cli; sys.exit(bench_cli())' --device cuda --cases gpu \
    --quick --out "$OUT/bench.json" 2>&1 | grep -v "^AUTOTUNE\|^  triton\|SingleProcess" | tail -20 | tee "$OUT/bench.log"
