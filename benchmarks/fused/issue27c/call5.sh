#!/usr/bin/env bash
# Device call 5 (NVIDIA H200): the shape sweep again, each round timing 3 consecutive steps per path after an untimed
# one, 7 rounds (call 4 timed one step per round, 5 rounds). Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
timeout ${T_SWEEP:-350} python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 7 --compiled 6 \
  --rows ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} --deadline ${D_SWEEP:-300} > $OUT/sweep.log 2>&1
q < $OUT/sweep.log | grep "sweep-gpu\|deadline\|Error"
date -u +%FT%TZ
