#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), the final defaults (bf16 shadow on, hidden bias way 2, dx by products): the benchmark
# case, interleaved against main's path (FUSED_SHADOW=0), per-kernel profiles, the whole step in one CUDA graph; the
# same case through auto, torch eager and torch compiled; the scale preset with the default config; the shape sweep
# (every path interleaved per row). Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
timeout 100 python3 benchmarks/fused/b1_bench.py --out $OUT/bench.json --reps 7 --steps 5 \
  --parts bench,profile,graph --graph-setting default --settings "main:FUSED_SHADOW=0;default:" > $OUT/bench.log 2>&1
q < $OUT/bench.log | grep "^bench\|^profile\|graph\|Error"
timeout 100 python3 benchmarks/fused/scale_diag.py --out $OUT/case.json --parts bench --reps 5 \
  --bench-kernels auto,torch,compiled > $OUT/case.log 2>&1
q < $OUT/case.log | grep "^bench\|model.kernel\|Error" | cut -c1-400
timeout 50 python3 scripts/ddp_bench.py --out $OUT/scale_auto.json > $OUT/scale.log 2>&1
q < $OUT/scale.log | grep "model.kernel\|world_size\|rolled back\|Error" | cut -c1-400
timeout ${T_SWEEP:-300} python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 5 --compiled 6 \
  --rows ${ROWS:-2,1,0,6,3,4,5,7,8,9,10} --deadline ${D_SWEEP:-250} > $OUT/sweep.log 2>&1
q < $OUT/sweep.log | tail -14
date -u +%FT%TZ
