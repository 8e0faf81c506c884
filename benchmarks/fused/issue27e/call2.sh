#!/usr/bin/env bash
# Ran at commit cf3f998 (git checkout cf3f998 to repeat it): the switch it measures, FUSED_DX_WALK/FUSED_DX_UNROLL, was removed after this call.
# Device call 2 (NVIDIA H200), 2026-12-03: the dx kernel's tile order (FUSED_DX_WALK=1: tiles of one (y, z) plane,
# ordered (b, plane tile, x), each program a run of consecutive ones, so the planes it gathers dh from were read for
# its tile before) and its unrolled slot loop (FUSED_DX_UNROLL=1). Both leave each tile's arithmetic as it is:
# first the exactness test (bit for bit against the default), then, alone on the card, the benchmark case
# interleaved against the default with per-kernel profiles. Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call2.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
timeout ${T_TESTS:-200} python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "tile_orders" > $R/t1.log 2>&1
q < $R/t1.log | grep "passed\|failed\|FAILED\|Error\|assert" | cut -c1-300
date -u +%FT%TZ
W=FUSED_DX_WALK=1
L="default:;W:$W;W2:$W,FUSED_PER_SM_DX=2;W8:$W,FUSED_PER_SM_DX=8;U:FUSED_DX_UNROLL=1;WU:$W,FUSED_DX_UNROLL=1"
L="$L;WU2:$W,FUSED_DX_UNROLL=1,FUSED_PER_SM_DX=2;W128:$W,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=2"
timeout ${T_BENCH:-200} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile --settings "$L" > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|Error"
date -u +%FT%TZ
