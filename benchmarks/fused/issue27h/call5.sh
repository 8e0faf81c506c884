#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03 (second day session): call 4's winner, unchanged (dW1 beside, graphed, dx at two
# programs a multiprocessor) against neighbouring launch settings, one process per pair, median of 5.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
S="FUSED_GRAPHS=1,FUSED_W1_SIDE=1,FUSED_PER_SM_DX=2"
for v in "w1s2:$S,FUSED_STAGES_W1=2" "bwds2:$S,FUSED_STAGES_BWD=2" "fwdw8:$S,FUSED_WARPS_FWD=8" \
         "dxbm32:$S,FUSED_BM_DX=32,FUSED_PER_SM_DX=4"; do
  n=${v%%:*}
  T_BENCH=75 bench $n "dx2:$S;$v" bench --reps 5
done
stamp
