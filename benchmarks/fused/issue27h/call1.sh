#!/usr/bin/env bash
# Device call 1 (NVIDIA H200), 2026-12-03 (second day session): CUDA graphs over the T-step loops (FUSED_GRAPHS, the
# default in training), dW1's kernel on a second stream (FUSED_W1_SIDE) and programmatic dependent launch (FUSED_PDL)
# against the step-by-step launches on the benchmark case, interleaved, median of 7, with profiles, whether the gradients are bit for bit, and the whole step in one graph; then the fused GPU tests (the
# graph tests, bf16 runs, the scale shape's gradients, the hidden bias's ways, determinism, the lattice's use of the
# kernel, the scale preset's training test, test_perf's CUDA tests) with the graphs on; memcheck.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call1
T_BENCH=210 bench bench "steps:FUSED_GRAPHS=0;graphs:FUSED_GRAPHS=1;side:FUSED_GRAPHS=1,FUSED_W1_SIDE=1;pdl:FUSED_GRAPHS=1,FUSED_PDL=1;\
side_pdl:FUSED_GRAPHS=1,FUSED_W1_SIDE=1,FUSED_PDL=1;steps_pdl:FUSED_GRAPHS=0,FUSED_PDL=1" bench,profile,exact,graph --graph-setting steps
stamp
T_TESTS=240
py tests/test_fused.py -k "cuda_graphs or uses_the_kernel or deterministic" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "run_bf16" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias or shadow" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
wait
show t1 t2 t3 t4 t5; stamp
T_MEMCHECK=50 memcheck; stamp
