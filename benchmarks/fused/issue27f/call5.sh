#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03: less integer work per gathered element (call 3's counters: dx issues on 61%
# of its cycles, most of it integer work) -- the lattice's sizes compiled into every kernel as constants (FUSED_DIMS),
# dx's tile addresses formed once and moved per slot (FUSED_DX_SHIFT), dx's neighbours' existence as bits worked out
# once per tile (FUSED_DX_BITS) -- against none of them (main's kernels before), on the benchmark case, interleaved,
# with profiles and the bit-for-bit check; then the GPU tests with all three the default, and memcheck.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
T_BENCH=120 bench bench "none:FUSED_DIMS=0,FUSED_DX_SHIFT=0,FUSED_DX_BITS=0;all:;dims:FUSED_DX_SHIFT=0,FUSED_DX_BITS=0" \
  bench,profile,exact
stamp
T_TESTS=150
py tests/test_fused.py -k "index_arithmetic or run_bf16 or shadow or deterministic or uses_the_kernel" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_fused.py -k "run_fp32 and products" > $R/t5.log 2>&1 &
wait
show t2 t3 t4 t5; stamp
T_MEMCHECK=40 memcheck; stamp
