#!/usr/bin/env bash
# Device call 1 (NVIDIA H200), 2026-12-03: dh and dW1 in one pass (`_bwd_hw_kernel`, FUSED_HW) against the two kernels
# it replaces (FUSED_HW=0), on the benchmark case, interleaved, with launch variants (warps, rows, parts of the hidden
# layer, a register cap), per-kernel profiles and the bit-for-bit check; then the bf16 GPU tests with it.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call1
T_BENCH=330 bench bench "two:FUSED_HW=0;hw:;hw8w:FUSED_WARPS_HW=8;hw128:FUSED_BM_HW=128,FUSED_WARPS_HW=8;\
hw4:FUSED_HW_PARTS=4;hw4r128:FUSED_HW_PARTS=4,FUSED_MAXNREG_HW=128;hw8w_r128:FUSED_WARPS_HW=8,FUSED_MAXNREG_HW=128" \
  bench,profile,exact
stamp
T_TESTS=200
py tests/test_fused.py -k "one_pass or run_bf16 or shadow or deterministic or uses_the_kernel" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
wait
show t2 t3; stamp
