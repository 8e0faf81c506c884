#!/usr/bin/env bash
# Device call 2 (NVIDIA H200): the scale preset trained with the fused step under FUSED_B1_FP32=0 and 3 (300 steps,
# seed 0; torch's run of the same test: call 1) and the S = 32 gradient tests under 0, side by side (their numbers
# do not depend on timing); then auto against torch on sweep row 2, and the sweep rows call 1 left (way 2, as there).
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|^$"; }
date -u +%FT%TZ > $OUT/date.txt
for w in 0 3; do FUSED_B1_FP32=$w timeout 60 python3 benchmarks/fused/scale_diag.py --out $OUT/fit_b1_$w.json \
  --parts fits --fits triton > $OUT/fit_b1_$w.log 2>&1 & done
FUSED_B1_FP32=0 timeout 60 python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "scale_shape" \
  > $OUT/test_grads_b1_0.log 2>&1
wait
for w in 0 3; do grep "^fit\|rolled back" $OUT/fit_b1_$w.log | sed "s/^/B1=$w /"; done
q < $OUT/test_grads_b1_0.log | tail -4
timeout 22 python3 benchmarks/fused/auto_overhead.py --out $OUT/auto_row2.json --row 2 --rounds 2 2>&1 | q | grep "^row"
FUSED_B1_FP32=2 timeout 28 python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 5 --rows 7,9,10 \
  --deadline 12 2>&1 | q | grep "sweep-gpu\|not run"
