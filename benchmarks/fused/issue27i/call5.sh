#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03 (third day session), main as committed: every row of the shape sweep
# (`et-bench --cases sweep-gpu` through sweep_rows.py: fused, eager and, at the benchmark's shape, compiled; the path
# `auto` picked; memory), medians of 11. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
sweep sweep ${ROWS:-6,0,1,3,4,7,9,10,2,5,8} ${D_SWEEP:-480}; stamp
