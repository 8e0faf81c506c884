#!/usr/bin/env bash
# Device call 6 (NVIDIA H200), 2026-12-03 (second day session), main with dW1 beside and dx at two programs a
# multiprocessor as the default: the benchmark case (median of 7) against the graphs without dW1 beside and against
# the step-by-step launches; the GPU tests (graphs, bf16 runs, the scale training test, test_perf's CUDA tests); the
# sweep's rows as far as the time allows. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call6
T_BENCH=80 bench bench "default:;noside:FUSED_W1_SIDE=0;steps:FUSED_GRAPHS=0,FUSED_W1_SIDE=0" bench,exact
stamp
T_TESTS=120
py tests/test_fused.py -k "cuda_graphs or run_bf16 or deterministic" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t2.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t3.log 2>&1 &
wait
show t1 t2 t3; stamp
sweep sweep ${ROWS:-6,1,0,3} ${D_SWEEP:-50}; stamp
