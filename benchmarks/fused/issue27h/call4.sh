#!/usr/bin/env bash
# Device call 4 (NVIDIA H200), 2026-12-03 (second day session): call 3's winner (dW1 beside, graphed, dx at two
# programs a multiprocessor) against neighbouring launch settings, one process per pair, median of 5.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call4
S="FUSED_GRAPHS=1,FUSED_W1_SIDE=1,FUSED_PER_SM_DX=2"
for v in "dx1:$S,FUSED_PER_SM_DX=1" "dx2s2:$S,FUSED_STAGES_DX=2" "dx2g2:$S,FUSED_W1_GROUPS=2" \
         "dx2bm128:$S,FUSED_BM_DX=128,FUSED_STAGES_DX=2" "dx2w8:$S,FUSED_WARPS_DX=8"; do
  n=${v%%:*}
  T_BENCH=75 bench $n "dx2:$S;$v" bench --reps 5
done
stamp
