#!/usr/bin/env bash
# Device call 1 (NVIDIA H200): the benchmark case under the fused step's switches, interleaved in one process
# (main's code path: FUSED_SHADOW=0; the bf16 shadow; dx from dP; the hidden bias from dW1's row), per-kernel profiles
# and the whole step in one CUDA graph; the auto-vs-torch diagnosis on the 8x8x4 x 512 fp32 sweep row; the GPU tests.
# Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv
  python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'
  date -u +%FT%TZ; } | tee $OUT/gpu.txt
SETTINGS="main:FUSED_SHADOW=0;shadow:;shadow+dp:FUSED_W1_DP=1;shadow+dp64:FUSED_W1_DP=1,FUSED_BM_W1=64;shadow+dp64+fwd64:FUSED_W1_DP=1,FUSED_BM_W1=64,FUSED_BM_FWD=64,FUSED_PER_SM_FWD=3;shadow+dp64+dx8:FUSED_W1_DP=1,FUSED_BM_W1=64,FUSED_PER_SM_DX=8;shadow+row:FUSED_B1_FP32=0;shadow+dp64+row:FUSED_W1_DP=1,FUSED_BM_W1=64,FUSED_B1_FP32=0"
timeout ${T_BENCH:-200} python3 benchmarks/fused/b1_bench.py --out $OUT/bench.json --reps 7 --steps 5 \
  --parts bench,profile,graph --graph-setting "${GRAPH:-shadow+dp64}" \
  --settings "$SETTINGS" \
  > $OUT/bench.log 2>&1
q < $OUT/bench.log | tail -25
timeout ${T_AUTO:-120} python3 benchmarks/fused/auto_overhead.py --out $OUT/auto.json > $OUT/auto.log 2>&1
q < $OUT/auto.log | tail -10
T=${T_TESTS:-220}
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "run_fp32" > $OUT/t1.log 2>&1 &
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py \
  -k "run_bf16 or shadow or deterministic or uses_the_kernel" > $OUT/t2.log 2>&1 &
timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "scale_shape or hidden_bias" > $OUT/t3.log 2>&1 &
FUSED_W1_DP=1 timeout $T python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "scale_trains" > $OUT/t4.log 2>&1 &
wait
for f in t1 t2 t3 t4; do echo "== $f"; q < $OUT/$f.log | grep -v "^\s*$" | tail -14; done
date -u +%FT%TZ
