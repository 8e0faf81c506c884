#!/usr/bin/env bash
# Device call 2 (NVIDIA H200): the hidden bias's gradient by linearity (FUSED_B1_FP32=4) against ways 2 and 0 on the
# benchmark case with the shadow, interleaved in one process, per-kernel profiles, the whole step in one CUDA graph;
# the hidden-bias and S = 32 gradient tests; the scale preset's training test under way 4; what in auto's first use
# slows torch eager afterwards (auto_pieces.py). Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
SETTINGS="main:FUSED_SHADOW=0;shadow(2):;shadow+way4:FUSED_B1_FP32=4;shadow+row(0):FUSED_B1_FP32=0;shadow+way4+dp:FUSED_B1_FP32=4,FUSED_W1_DP=1,FUSED_PER_SM_DX=8"
timeout 150 python3 benchmarks/fused/b1_bench.py --out $OUT/bench.json --reps 7 --steps 5 \
  --parts bench,profile,graph --graph-setting "shadow+way4" --settings "$SETTINGS" > $OUT/bench.log 2>&1
q < $OUT/bench.log | grep "^bench\|^profile\|graph\|Error" 
timeout 150 python3 benchmarks/fused/auto_pieces.py --out $OUT/pieces.json > $OUT/pieces.log 2>&1
q < $OUT/pieces.log | tail -20
T=200
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "hidden_bias or scale_shape" > $OUT/t3.log 2>&1 &
FUSED_B1_FP32=4 timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "scale_trains" > $OUT/t4.log 2>&1 &
wait
for f in t3 t4; do echo "== $f"; q < $OUT/$f.log | grep -v "^\s*$\|^tests/test_fused.py" | tail -8 | cut -c1-600; done
date -u +%FT%TZ
