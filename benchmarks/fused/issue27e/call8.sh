#!/usr/bin/env bash
# Device call 8 (NVIDIA H200), 2026-12-03, on main: b1_bench.py leaving out a setting that cannot run (an invalid
# FUSED_B1_FP32) and measuring the rest; the pipelining default against the old one once more, bit for bit.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call8
T_BENCH=80 bench bench "default:;bad:FUSED_B1_FP32=9;old:FUSED_STAGES_FWD=1,FUSED_STAGES_DX=2,FUSED_PER_SM_DX=4" bench,exact
stamp
