#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-03 (second day session). Call 1's graphed settings were timed with four graphed
# configurations in one process, twice GRAPH_CACHE: each round re-captured them (the cost of a capture, not of a
# replay). Here: the step-by-step launches, the graphs, and the graphs with dW1 on a second stream (two graphed
# configurations), interleaved, median of 7, with profiles; the graph tests and test_perf's CUDA tests (the memory
# estimate now measures the step that captures the graphs); the `scale` preset with the default config and with
# model.kernel: torch; rows of the shape sweep as far as the time allows. Run from a copy of the repository root with
# OUT set.
source benchmarks/fused/device_call.sh call2
T_BENCH=150 bench bench "steps:FUSED_GRAPHS=0;graphs:FUSED_GRAPHS=1;side:FUSED_GRAPHS=1,FUSED_W1_SIDE=1" \
  bench,profile,exact
stamp
T_TESTS=150
py tests/test_fused.py -k "cuda_graphs" > $R/t1.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t2.log 2>&1 &
wait
show t1 t2; stamp
scale_pair; stamp
sweep sweep ${ROWS:-1,0,6,2,3,5,8,7,4,9,10} ${D_SWEEP:-150}; stamp
