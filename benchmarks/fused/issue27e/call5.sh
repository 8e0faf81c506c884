#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03: software-pipelining stages of each fused kernel, on today's kernels (the
# stages were last swept on earlier kernels). Stages change neither tiles nor layouts, so the gradients should stay bit
# for bit (checked: `exact`). Shared memory per program (aot_check, sm_90a): fwd 36,864 -> 106,496 B at 2 stages
# (registers 255 + 16 B spilled -> 228), dh 65,536 -> 108,544, dW1 36,864 -> 102,400 (193 -> 168 registers), dx
# 40,960 / 61,440 / 81,920 at 2 / 3 / 4 stages. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
L="default:;f2:FUSED_STAGES_FWD=2;b2:FUSED_STAGES_BWD=2;w2:FUSED_STAGES_W1=2"
L="$L;x3:FUSED_STAGES_DX=3,FUSED_PER_SM_DX=3;x4:FUSED_STAGES_DX=4,FUSED_PER_SM_DX=2"
L="$L;fbw2:FUSED_STAGES_FWD=2,FUSED_STAGES_BWD=2,FUSED_STAGES_W1=2"
L="$L;fbw2x3:FUSED_STAGES_FWD=2,FUSED_STAGES_BWD=2,FUSED_STAGES_W1=2,FUSED_STAGES_DX=3,FUSED_PER_SM_DX=3"
T_BENCH=240 bench bench "$L" bench,profile,exact
stamp
