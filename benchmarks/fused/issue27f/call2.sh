#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-03: dh's kernel with fewer live registers -- relu(h) in bf16 before dr, the
# mask from it (`_bwd_h_kernel`, FUSED_H2=0), and the hidden layer in two halves (`_bwd_h2_kernel`, FUSED_H2=1) --
# each at its own register count and capped at 168 for three programs per multiprocessor; interleaved on the benchmark
# case, with profiles and the bit-for-bit check; then the code before (4819dc1, a copy in issue27f/old/, not
# committed) in a second process, and the bf16 GPU tests.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call2
T_BENCH=300 bench bench "h1:FUSED_H2=0;h2:;h1r3:FUSED_H2=0,FUSED_MAXNREG_BWD=168,FUSED_PER_SM_BWD=3;\
h2r3:FUSED_MAXNREG_BWD=168,FUSED_PER_SM_BWD=3;h2s2:FUSED_STAGES_BWD=2;h2r3s2:FUSED_MAXNREG_BWD=168,FUSED_PER_SM_BWD=3,\
FUSED_STAGES_BWD=2" bench,profile,exact
stamp
PYTHONPATH=$PWD/benchmarks/fused/issue27f/old T_BENCH=100 bench old "old:" bench,profile
stamp
T_TESTS=200
py tests/test_fused.py -k "halves or run_bf16 or shadow or deterministic or uses_the_kernel" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
wait
show t2 t3; stamp
