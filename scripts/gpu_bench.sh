#!/usr/bin/env bash
# The lattice on a CUDA GPU: check every fast path against the per-cell reference (fp32, bf16, torch.compile),
# then benchmark it. Run from the repository root:   OUT=results scripts/gpu_bench.sh
# Writes $OUT/bench_h100.json and $OUT/bench_h100_autotune.json (every number) and their logs; prints the tables.
set -uo pipefail
OUT=${OUT:-$PWD}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1

# torch (with CUDA) first; the other runtime packages only where missing.
if ! $PY -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'; then
  $PY -m pip install -q torch numpy pyyaml tqdm matplotlib
fi
for mod in numpy yaml tqdm; do
  $PY -c "import $mod" 2>/dev/null || { $PY -m pip install -q numpy pyyaml tqdm matplotlib; break; }
done
if ! $PY -m pip install -q --no-deps --no-build-isolation -e . >"$OUT/install.log" 2>&1; then
  echo "the package could not be installed (see $OUT/install.log): importing it from this checkout"
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
$PY -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA device: nothing to benchmark here")' || exit 1
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv

echo "== fast paths vs the per-cell reference on CUDA (fp32, bf16, torch.compile) and the memory prediction"
$PY -m pytest -q -p no:cacheprovider tests/test_perf.py -k cuda -rs 2>&1 | tee "$OUT/gpu_tests.log"
tests=${PIPESTATUS[0]}

echo "== benchmark"
BENCH="$PY -c 'import sys; from embedding_trainer.bench import bench_cli; sys.exit(bench_cli())'"
command -v et-bench >/dev/null && BENCH=et-bench
# torch.compile's autotuning mode: slower to compile (about a minute here), faster to run
eval "$BENCH --device cuda --cases gpu --perceptions gather --compile-mode max-autotune-no-cudagraphs \
      --out '$OUT/bench_h100_autotune.json'" 2>&1 | grep -v "^AUTOTUNE\|^  triton\|^  mm\|^  bmm\|^  addmm\|^  bias_addmm\|^  decompose\|SingleProcess\|Autotune Choices\|^{\"num_choices\|^strides:\|^dtypes:" \
      | tee "$OUT/bench_autotune.log"
autotune=${PIPESTATUS[0]}
eval "$BENCH --device cuda --out '$OUT/bench_h100.json'" 2>&1 | tee "$OUT/bench.log"
bench=${PIPESTATUS[0]}
# every path (fused, torch eager, compiled on the benchmark shape) and model.kernel auto's pick at 11 shapes
eval "$BENCH --device cuda --cases sweep-gpu --quick --out '$OUT/sweep_gpu.json'" 2>&1 | tee "$OUT/sweep_gpu.log"
bench=$(( bench || ${PIPESTATUS[0]} ))
echo "tests exit $tests, bench exit $bench, autotune bench exit $autotune"
exit $(( tests || bench || autotune ))
