#!/usr/bin/env bash
# The fused Triton lattice step on one CUDA GPU, through the package, in one call (every number of BENCHMARKS.md's
# "current numbers" for the fused step): its GPU tests (the scale preset's shape and training with both kernels,
# bf16 gradients at the benchmark shape, determinism), the benchmark case (fused median of 5, model.kernel auto,
# torch eager and compiled), the scale preset with the default config (model.kernel auto), the code of an earlier
# commit on the same case when OLD names its checkout (before/after in one call), then et-bench --cases sweep-gpu.
# Run from the repository root:   OUT=results [OLD=../old-checkout] scripts/fused_checks.sh
set -uo pipefail
OUT=${OUT:-$PWD}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings   # a fresh kernel_choices.json: auto measures in this call
LOG="$OUT/all.log"
quiet() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  $PY -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'; } | tee "$LOG"
echo "== GPU tests" | tee -a "$LOG"
timeout ${T_TESTS:-170} $PY -m pytest -q -s -p no:cacheprovider tests/test_fused.py \
    -k "scale or deterministic or (run_bf16 and 32x32x32xB2)" 2>&1 | quiet | grep -v "^$" | tail -30 | tee -a "$LOG"
echo "== the benchmark case (32^3 x 16, T = 32, S 16, H 128, bf16)" | tee -a "$LOG"
timeout ${T_BENCH:-80} $PY benchmarks/fused/scale_diag.py --out "$OUT/bench.json" --parts bench --reps 5 \
    --bench-kernels triton,auto,torch,compiled 2>&1 | quiet | grep "^bench\|model.kernel\|Error" | tee -a "$LOG"
echo "== the scale preset, default config (model.kernel auto), 300 steps" | tee -a "$LOG"
timeout ${T_SCALE:-45} $PY scripts/ddp_bench.py --out "$OUT/scale_auto.json" 2>&1 | quiet | grep "model.kernel\|world_size\|rolled back\|Error" | tee -a "$LOG"
if [ -n "${OLD:-}" ]; then
  echo "== the earlier code ($OLD): the benchmark case, fused, median of 5" | tee -a "$LOG"
  (cd "$OLD" && PYTHONPATH="$PWD" timeout ${T_OLD:-45} $PY "$OLDPWD/benchmarks/fused/scale_diag.py" \
      --out "$OUT/old.json" --parts bench --reps 5 --bench-kernels triton) 2>&1 | quiet | grep "^bench" | tee -a "$LOG"
fi
echo "== et-bench --cases sweep-gpu" | tee -a "$LOG"
timeout ${T_SWEEP:-170} $PY -c 'import sys; from embedding_trainer.bench import bench_cli; sys.exit(bench_cli())' \
    --device cuda --cases sweep-gpu --quick --out "$OUT/sweep.json" 2>&1 | quiet | tee -a "$LOG" | tail -20
