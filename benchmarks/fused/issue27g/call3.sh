#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), 2026-12-03 (day), at main as it stands (the kernels of 1d9c8ea): the benchmark case
# (median of 7) with profiles and the whole step in one CUDA graph; the fused GPU tests that calls 1 and 2 cut at
# their time limit (the index-arithmetic exactness tests, the shadow, determinism and one-step tests); memcheck.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call3
T_BENCH=150 bench bench "main:" bench,profile,graph
stamp
T_TESTS=330
py tests/test_fused.py -k "index_arithmetic and bf16" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "index_arithmetic and fp32" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "shadow or deterministic or uses_the_kernel" > $R/t3.log 2>&1 &
wait
show t1 t2 t3; stamp
T_MEMCHECK=60 memcheck; stamp
