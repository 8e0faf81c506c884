#!/usr/bin/env bash
# Device call 1 (NVIDIA H200), 2026-12-03 (day): relu(h) kept from the forward (FUSED_KEEP_H): dW1's kernel forms dh
# from it, the dh kernel (which recomputed h, gathering the perception again) is not launched; or (FUSED_KEEP_H=2) the
# dh kernel reads it instead of recomputing h. Against the recomputing
# path (FUSED_KEEP_H=0), interleaved on the benchmark case, with dW1's launch variants, profiles, which gradients are
# bit for bit, the biases' gradients against float64; then every fused GPU test with it the default.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call1
T_BENCH=240 bench bench "recompute:FUSED_KEEP_H=0;keep:;keep64:FUSED_BM_W1=64;keep64x2:FUSED_BM_W1=64,FUSED_PER_SM_W1=2;\
keep_way0:FUSED_B1_FP32=0;keep2:FUSED_KEEP_H=2;keep2w8:FUSED_KEEP_H=2,FUSED_WARPS_BWD=8,FUSED_BM_BWD=128" \
  bench,profile,exact,bias
stamp
T_TESTS=230
py tests/test_fused.py -k "kept or index_arithmetic or shadow or deterministic or uses_the_kernel" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "run_bf16" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_fused.py -k "run_fp32" > $R/t5.log 2>&1 &
wait
show t1 t2 t3 t4 t5; stamp
