#!/usr/bin/env bash
# Device call 7 (NVIDIA H200): launch settings of the dx kernel (programs per multiprocessor, rows per tile) on the
# benchmark case with the default step, interleaved in one process. The dx kernel's tiles are independent (no sums
# across programs), so these settings cannot change a bit of the result. Run from the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
timeout 150 python3 benchmarks/fused/b1_bench.py --out $OUT/bench.json --reps 7 --steps 5 --parts bench,profile \
  --settings "default:;dx6:FUSED_PER_SM_DX=6;dx8:FUSED_PER_SM_DX=8;dx128x2:FUSED_BM_DX=128,FUSED_PER_SM_DX=2;dx128x4:FUSED_BM_DX=128,FUSED_PER_SM_DX=4;dx1stage:FUSED_STAGES_DX=1,FUSED_PER_SM_DX=6" \
  > $OUT/bench.log 2>&1
grep "^bench\|^profile\|Error" $OUT/bench.log
date -u +%FT%TZ
