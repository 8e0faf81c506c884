#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-03 (third day session): dx's grid as many programs as tiles (call 1: 1.227e9
# against 1.184e9) again, and settings around it; one process per pair, median of 7, gradients bit for bit.
source benchmarks/fused/device_call.sh call2
N=FUSED_PER_SM_DX=63
T_BENCH=70 bench again "default:;dxnp:$N" bench,exact,profile
T_BENCH=70 bench np16 "dxnp:$N;dx16:FUSED_PER_SM_DX=16" bench
T_BENCH=70 bench npfwd "dxnp:$N;npfwd:$N,FUSED_PER_SM_FWD=32" bench,exact
T_BENCH=70 bench nps2 "dxnp:$N;nps2:$N,FUSED_STAGES_DX=2" bench
T_BENCH=70 bench npbm32 "dxnp:$N;npbm32:FUSED_BM_DX=32,FUSED_PER_SM_DX=125" bench,exact
T_BENCH=70 bench npw8 "dxnp:$N;npw8:$N,FUSED_WARPS_DX=8" bench
stamp
