#!/usr/bin/env bash
# Device call 6 (NVIDIA H200), 2026-12-03 (second day session), main with dW1 beside and dx at two programs a
# multiprocessor as the default: the benchmark case against the graphs without dW1 beside and against
# the step-by-step launches (median of 5); the graph tests and the scale training test (what the
# device time left allowed). Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call6
T_BENCH=60 bench bench "default:;noside:FUSED_W1_SIDE=0;steps:FUSED_GRAPHS=0,FUSED_W1_SIDE=0" bench,exact --reps 5
stamp
T_TESTS=100
py tests/test_fused.py -k "cuda_graphs or deterministic" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t2.log 2>&1 &
wait
show t1 t2; stamp
