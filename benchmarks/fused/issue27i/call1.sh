#!/usr/bin/env bash
# Device call 1 (NVIDIA H200), 2026-12-03 (third day session), at the commit that added FUSED_PRIORITY: the backward's
# main-stream kernels (dh, dx) captured at a higher priority than dW1's on its side stream, and dx's grid as many
# programs as tiles (one tile each: the multiprocessors take the next tile as dW1's programs free them), against the
# default; one process per pair (GRAPH_CACHE keeps two configurations), median of 7, gradients bit for bit.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call1
P=FUSED_PRIORITY=1
T_BENCH=80 bench prio "default:;prio:$P" bench,exact,profile
T_BENCH=70 bench dxnp "default:;dxnp:FUSED_PER_SM_DX=63" bench,exact
T_BENCH=70 bench priodxnp "prio:$P;priodxnp:$P,FUSED_PER_SM_DX=63" bench,exact,profile
T_BENCH=70 bench priodx48 "priodx4:$P,FUSED_PER_SM_DX=4;priodx8:$P,FUSED_PER_SM_DX=8" bench
T_BENCH=70 bench priodx32 "priodx3:$P,FUSED_PER_SM_DX=3;priodx32np:$P,FUSED_BM_DX=32,FUSED_PER_SM_DX=125" bench
stamp
