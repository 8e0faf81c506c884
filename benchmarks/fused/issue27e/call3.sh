#!/usr/bin/env bash
# Ran at commit 7ac2c78 (git checkout 7ac2c78 to repeat it): the switch it measures, FUSED_DX_WALK, was removed after this call.
# (Written here on benchmarks/fused/device_call.sh since; the script as it ran is the one in that commit.)
# Device call 3 (NVIDIA H200), 2026-12-03: call 2 again without the unrolled slot loop (which needs more shared memory
# than the card has: 290816 B of 232448 at 7 slots, so call 2's benchmark did not run): the dx kernel's tile order
# along x (FUSED_DX_WALK=1), its exactness test, then, alone on the card, the benchmark case interleaved against the
# default with launch variants and per-kernel profiles. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call3
W=FUSED_DX_WALK=1
L="default:;W:$W;W1:$W,FUSED_PER_SM_DX=1;W2:$W,FUSED_PER_SM_DX=2;W8:$W,FUSED_PER_SM_DX=8"
L="$L;W128:$W,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=2;W32:$W,FUSED_BM_DX=32,FUSED_PER_SM_DX=8"
bench bench "$L" bench,profile
stamp
T_TESTS=150 py tests/test_fused.py -k "tile_orders" > $R/t1.log 2>&1
show t1; stamp
