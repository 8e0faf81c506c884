#!/usr/bin/env bash
# (Written on benchmarks/fused/device_call.sh since it ran; the script as it ran is the one in commit 7cbdff8.)
# Device call 3 (NVIDIA H200), 2026-12-02 night, on main as it stands (fused.py last changed by the _switch helper after
# the evening's GPU tests): every GPU test of tests/test_fused.py and the CUDA tests of tests/test_perf.py, side by side;
# compute-sanitizer memcheck on one training step of the benchmark case; the scale preset over seeds 1-3 under torch,
# the fused default, the hidden bias way 4 and dx from dP (seed 0 of each is in BENCHMARKS.md). Run from a copy of the
# repository root with OUT set.
source benchmarks/fused/device_call.sh call3
T_TESTS=420
py tests/test_fused.py -k "run_fp32" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "run_bf16 or shadow or deterministic or uses_the_kernel or step_vs" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
T_MEMCHECK=240 memcheck > $R/memcheck.out 2>&1 &
timeout ${T_SEEDS:-500} python3 benchmarks/fused/scale_seeds.py --out $R/seeds.json --seeds 1,2,3 \
  --settings "torch:kernel=torch;default:;way4:FUSED_B1_FP32=4;dP:FUSED_W1_DP=1" > $R/seeds.log 2>&1 &
wait
show t1 t2 t3 t4 t5; cat $R/memcheck.out
echo "== seeds"; q < $R/seeds.log | grep "seed\|mean\|Error" | cut -c1-300
stamp
