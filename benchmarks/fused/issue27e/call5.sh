#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03: software-pipelining stages of each fused kernel, on today's kernels (the
# stages were last swept on earlier kernels). Stages change neither tiles nor layouts, so the gradients should stay bit
# for bit (checked: `exact`). Shared memory per program (aot_check, sm_90a): fwd 36,864 -> 106,496 B at 2 stages
# (registers 255 + 16 B spilled -> 228), dh 65,536 -> 108,544, dW1 36,864 -> 102,400 (193 -> 168 registers), dx
# 40,960 / 61,440 / 81,920 at 2 / 3 / 4 stages. Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call5.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
L="default:;f2:FUSED_STAGES_FWD=2;b2:FUSED_STAGES_BWD=2;w2:FUSED_STAGES_W1=2"
L="$L;x3:FUSED_STAGES_DX=3,FUSED_PER_SM_DX=3;x4:FUSED_STAGES_DX=4,FUSED_PER_SM_DX=2"
L="$L;fbw2:FUSED_STAGES_FWD=2,FUSED_STAGES_BWD=2,FUSED_STAGES_W1=2"
L="$L;fbw2x3:FUSED_STAGES_FWD=2,FUSED_STAGES_BWD=2,FUSED_STAGES_W1=2,FUSED_STAGES_DX=3,FUSED_PER_SM_DX=3"
timeout ${T_BENCH:-240} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile,exact --settings "$L" > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|^exact\|Error"
date -u +%FT%TZ
