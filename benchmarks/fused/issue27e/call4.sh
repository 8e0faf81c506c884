#!/usr/bin/env bash
# Ran at commit b907cd2 (git checkout b907cd2 to repeat it): the switch it measures, FUSED_W1_DX, was removed after this call.
# (Written here on benchmarks/fused/device_call.sh since; the script as it ran is the one in that commit.)
# Device call 4 (NVIDIA H200), 2026-12-03: dx inside dW1's kernel (FUSED_W1_DX=1: one launch fewer a step; each
# cell's dx computed as the dx kernel computes it). First, alone on the card, the benchmark case interleaved against the
# default, with per-kernel profiles and the whole step in one CUDA graph; then its exactness test; then, if it was
# more than 1% faster, every GPU test of tests/test_fused.py and tests/test_perf.py with it on, side by side.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call4
T_BENCH=120 bench bench "default:;X:FUSED_W1_DX=1" bench,profile,graph --graph-setting X
stamp
py tests/test_fused.py -k "dx_in_dw1" > $R/t0.log 2>&1
show t0
GO=$(python3 -c "
import json; b = json.load(open('$R/bench.json'))['bench']
print(int(b['X']['median'] > 1.01 * b['default']['median']))" 2>/dev/null || echo 0)
echo "faster by > 1%: $GO"
if [ "$GO" = 1 ]; then
  export FUSED_W1_DX=1
  py tests/test_fused.py -k "run_fp32" > $R/t1.log 2>&1 &
  py tests/test_fused.py -k "run_bf16 or shadow or deterministic or uses_the_kernel or step_vs" > $R/t2.log 2>&1 &
  py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
  py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
  py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
  wait
  show t1 t2 t3 t4 t5
fi
stamp
