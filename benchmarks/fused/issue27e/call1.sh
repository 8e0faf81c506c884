#!/usr/bin/env bash
# Ran at commit 0510b8c (git checkout 0510b8c to repeat it): the switch it measures, FUSED_COMPACT, was removed after this call.
# (Written here on benchmarks/fused/device_call.sh since; the script as it ran is the one in that commit.)
# Device call 1 (NVIDIA H200), 2026-12-03: dh kept as du and the ReLU mask's bytes (FUSED_COMPACT=1; 48 B a cell
# instead of 256 in the benchmark case), rebuilt by the dW1 and dx kernels. First its exactness and the fused tests
# under it (in parallel), then, alone on the card, the benchmark case interleaved against the default with launch
# variants of the dx and dW1 kernels, per-kernel profiles, and the whole step in one CUDA graph.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call1
C=FUSED_COMPACT=1
py tests/test_fused.py -k "compact" > $R/t1.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "run_bf16 and products or scale_shape or shadow" > $R/t2.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "run_fp32 and products" > $R/t3.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
wait
show t1 t2 t3 t4; stamp
L="default:;C:$C;Cx128:$C,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=1;Cx2:$C,FUSED_PER_SM_DX=2"
L="$L;Cx32:$C,FUSED_BM_DX=32,FUSED_PER_SM_DX=8;Cw64:$C,FUSED_BM_W1=64;Cb0:$C,FUSED_B1_FP32=0"
bench bench "$L" bench,profile
T_BENCH=80 bench graph "C:$C" graph --graph-setting C
stamp
