#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), 2026-12-03 (second day session): dW1's kernel on a second stream, graphed, under launch
# settings that leave room for it beside dh and dx; one process per pair (GRAPH_CACHE keeps two configurations), each
# against the plain `side` setting, median of 5. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call3
S="FUSED_GRAPHS=1,FUSED_W1_SIDE=1"
for v in "dx2:$S,FUSED_PER_SM_DX=2" "w1w4:$S,FUSED_WARPS_W1=4,FUSED_PER_SM_W1=2" "w1bm64:$S,FUSED_BM_W1=64,FUSED_PER_SM_W1=2" \
         "bwd1:$S,FUSED_PER_SM_BWD=1"; do
  n=${v%%:*}
  T_BENCH=75 bench $n "side:$S;$v" bench --reps 5
done
stamp
