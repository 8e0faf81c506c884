#!/usr/bin/env bash
# Ran at commit 7ac2c78 (git checkout 7ac2c78 to repeat it): the switch it measures, FUSED_DX_WALK, was removed after this call.
# Device call 3 (NVIDIA H200), 2026-12-03: call 2 again without the unrolled slot loop (which needs more shared memory
# than the card has: 290816 B of 232448 at 7 slots, so call 2's benchmark did not run): the dx kernel's tile order
# along x (FUSED_DX_WALK=1), its exactness test, then, alone on the card, the benchmark case interleaved against the
# default with launch variants and per-kernel profiles. Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call3.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
W=FUSED_DX_WALK=1
L="default:;W:$W;W1:$W,FUSED_PER_SM_DX=1;W2:$W,FUSED_PER_SM_DX=2;W8:$W,FUSED_PER_SM_DX=8"
L="$L;W128:$W,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=2;W32:$W,FUSED_BM_DX=32,FUSED_PER_SM_DX=8"
timeout ${T_BENCH:-150} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile --settings "$L" > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|Error"
date -u +%FT%TZ
timeout ${T_TESTS:-150} python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k "tile_orders" > $R/t1.log 2>&1
q < $R/t1.log | grep "passed\|failed\|FAILED\|Error\|assert" | cut -c1-300
date -u +%FT%TZ
