#!/usr/bin/env bash
# Device call 7 (NVIDIA H200), 2026-12-03, on main with the pipelining default, one after the other: the scale preset
# with the default config (model.kernel: auto) and with model.kernel: torch; compute-sanitizer memcheck on one training
# step of the benchmark case; the sweep's last row (cut by call 6's deadline).
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call7
scale_pair; stamp
T_MEMCHECK=110 memcheck; stamp
sweep sweep10 10 50
stamp
