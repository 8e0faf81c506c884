#!/usr/bin/env bash
# Device call 4 (NVIDIA H200), 2026-12-03 (third day session), main as committed (dx one program per tile beside dW1;
# FUSED_W1_PRIORITY removed after call 3, a tie): the benchmark case against the step-by-step launches (median of 7),
# every GPU test of tests/test_fused.py and test_perf's CUDA tests, then compute-sanitizer on one training step.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call4
T_BENCH=70 bench bench "default:;steps:FUSED_GRAPHS=0,FUSED_W1_SIDE=0" bench,exact
stamp
T_TESTS=330
py tests/test_fused.py -k "not scale_trains" > $R/t1.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t2.log 2>&1 &
wait
show t1 t2; stamp
memcheck; stamp
