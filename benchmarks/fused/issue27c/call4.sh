#!/usr/bin/env bash
# Device call 4 (NVIDIA H200), the final defaults: the shape sweep with every path warmed up in each round before its
# timed step; then, side by side, the GPU tests (the scale preset's training test, the shadow's exactness, bf16 runs,
# gradients at S = 32, the hidden bias's ways, determinism) and compute-sanitizer memcheck on one training step of the
# benchmark case. Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
timeout ${T_SWEEP:-260} python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 5 --compiled 6 \
  --rows ${ROWS:-2,1,5,3,7,0,6,4,8,9,10} --deadline ${D_SWEEP:-230} > $OUT/sweep.log 2>&1
q < $OUT/sweep.log | grep "sweep-gpu\|deadline\|Error"
date -u +%FT%TZ
T=200
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "scale_trains" > $OUT/t_train.log 2>&1 &
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py \
  -k "shadow or run_bf16 or deterministic or uses_the_kernel" > $OUT/t_bf16.log 2>&1 &
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "hidden_bias or scale_shape" > $OUT/t_grads.log 2>&1 &
(python3 benchmarks/fused/memcheck_step.py > /dev/null 2>&1; CS=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1); timeout 180 ${CS:-compute-sanitizer} --tool memcheck \
  python3 benchmarks/fused/memcheck_step.py > $OUT/memcheck.log 2>&1) &
wait
for f in t_train t_bf16 t_grads; do echo "== $f"; q < $OUT/$f.log | grep -v "^\s*$\|^tests/test_fused.py\|^  " | grep "passed\|failed\|scale, model\|hidden bias\|Error" | cut -c1-400; done
echo "== memcheck"; grep -v "^$" $OUT/memcheck.log | tail -4
date -u +%FT%TZ
