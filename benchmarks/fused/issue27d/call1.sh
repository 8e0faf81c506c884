#!/usr/bin/env bash
# (Written on benchmarks/fused/device_call.sh since it ran; the script as it ran is the one in commit d624c83.)
# Device call 1 (NVIDIA H200), 2026-12-02 night: the shape sweep with rotated, longer rounds (every path's timed calls
# fill >= 0.25 s per round, 11 rounds, the first path one later each round; auto against the fastest path as the
# median of the rounds' ratios); the benchmark case (median of 7) with the whole step in one CUDA graph beside it; the
# scale preset with the default config and with model.kernel: torch; launch settings of the forward and dh kernels
# (registers: fwd 255 + 16 B spilled at 128 rows x 4 warps, 156 at 8 warps; aot_check.py). Run from a copy of the repository root, OUT set.
source benchmarks/fused/device_call.sh call1
sweep sweep ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} ${D_SWEEP:-200}
stamp
T_BENCH=80 bench bench "default:" bench,graph --graph-setting default
scale_pair
L="default:;f64x3:FUSED_BM_FWD=64,FUSED_PER_SM_FWD=3;f128w8:FUSED_WARPS_FWD=8,FUSED_PER_SM_FWD=1"
L="$L;b64w8:FUSED_WARPS_BWD=8,FUSED_PER_SM_BWD=1;b128w8:FUSED_BM_BWD=128,FUSED_WARPS_BWD=8,FUSED_PER_SM_BWD=1"
T_BENCH=100 bench launch "$L" bench,profile
stamp
