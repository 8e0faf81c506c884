#!/usr/bin/env bash
# Device call 4 (NVIDIA H200), 2026-12-03: dx reading each slot's rows of dh as one block through a tensor descriptor
# (TMA; FUSED_DX_TMA) against an address per element (call 3's counters: the dx kernel issues on 61% of cycles, its
# integer pipeline the busiest at 56%), on the benchmark case, interleaved, with launch variants, profiles and the
# bit-for-bit check; then the GPU tests with it the default (the exactness test, bf16, fp32 with dx by products, S = 32,
# the scale training test) and compute-sanitizer memcheck.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call4
T_BENCH=240 bench bench "ptr:FUSED_DX_TMA=0;tma:;tma4:FUSED_PER_SM_DX=4;tma2x4:FUSED_STAGES_DX=2,FUSED_PER_SM_DX=4;\
tma4x3:FUSED_STAGES_DX=4;tma128:FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=2" bench,profile,exact
stamp
T_TESTS=200
py tests/test_fused.py -k "descriptors or run_bf16 or shadow or deterministic or uses_the_kernel" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_fused.py -k "run_fp32 and products" > $R/t5.log 2>&1 &
wait
show t2 t3 t4 t5; stamp
T_MEMCHECK=150 memcheck; stamp
