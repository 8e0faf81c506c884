#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-03 (second day session), main with the CUDA graphs as the default in training:
# the `scale` preset with the default config and with model.kernel: torch (scripts/ddp_bench.py), then rows of the
# shape sweep (`et-bench --cases sweep-gpu`, medians of 11 rotated rounds) as far as the time allows, small lattices
# first (where launches weigh most). Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call2
scale_pair; stamp
sweep sweep ${ROWS:-0,1,2,6,3,5,8,7,4,9,10} ${D_SWEEP:-300}; stamp
