#!/usr/bin/env bash
# Device call 6 (NVIDIA H200), 2026-12-03, on main with the new launch defaults (bf16, hidden <= 128: the forward at 2
# pipelining stages where the perception is <= 128 wide, dx at 3 stages and 3 programs per multiprocessor): the
# benchmark case against the old defaults, interleaved, with profiles and the bit-for-bit check; the bf16 GPU tests,
# the S = 32 gradient tests, the scale training test and the CUDA perf tests, side by side; then the shape sweep.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call6
T_BENCH=90 bench bench "old:FUSED_STAGES_FWD=1,FUSED_STAGES_DX=2,FUSED_PER_SM_DX=4;default:" bench,profile,exact
stamp
T_TESTS=200
py tests/test_fused.py -k "run_bf16 or shadow or deterministic or uses_the_kernel or step_vs" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
wait
show t2 t3 t4 t5; stamp
sweep sweep ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} 230
stamp
