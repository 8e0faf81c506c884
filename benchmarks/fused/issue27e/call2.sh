#!/usr/bin/env bash
# Ran at commit cf3f998 (git checkout cf3f998 to repeat it): the switch it measures, FUSED_DX_WALK/FUSED_DX_UNROLL, was removed after this call.
# (Written here on benchmarks/fused/device_call.sh since; the script as it ran is the one in that commit.)
# Device call 2 (NVIDIA H200), 2026-12-03: the dx kernel's tile order (FUSED_DX_WALK=1: tiles of one (y, z) plane,
# ordered (b, plane tile, x), each program a run of consecutive ones, so the planes it gathers dh from were read for
# its tile before) and its unrolled slot loop (FUSED_DX_UNROLL=1). Both leave each tile's arithmetic as it is:
# first the exactness test (bit for bit against the default), then, alone on the card, the benchmark case
# interleaved against the default with per-kernel profiles. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call2
T_TESTS=200 py tests/test_fused.py -k "tile_orders" > $R/t1.log 2>&1
show t1; stamp
W=FUSED_DX_WALK=1
L="default:;W:$W;W2:$W,FUSED_PER_SM_DX=2;W8:$W,FUSED_PER_SM_DX=8;U:FUSED_DX_UNROLL=1;WU:$W,FUSED_DX_UNROLL=1"
L="$L;WU2:$W,FUSED_DX_UNROLL=1,FUSED_PER_SM_DX=2;W128:$W,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=2"
T_BENCH=200 bench bench "$L" bench,profile
stamp
