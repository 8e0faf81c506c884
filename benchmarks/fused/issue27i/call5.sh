#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03 (third day session), main as committed: every row of the shape sweep
# (`et-bench --cases sweep-gpu` through sweep_rows.py: fused, eager and, at the benchmark's shape, compiled; the path
# `auto` picked; memory), medians of 11, bf16 rows first; then the fused GPU tests call 4's time limit cut (S = 32,
# the hidden bias's ways, the new per-tile test). Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
sweep sweep ${ROWS:-6,0,1,3,4,7,9,10,2,5,8} ${D_SWEEP:-480}; stamp
T_TESTS=100 py tests/test_fused.py -k "scale_shape or hidden_bias or per_tile or index_arithmetic" > $R/t1.log 2>&1
show t1; stamp
