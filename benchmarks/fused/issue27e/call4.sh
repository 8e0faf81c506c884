#!/usr/bin/env bash
# Ran at commit b907cd2 (git checkout b907cd2 to repeat it): the switch it measures, FUSED_W1_DX, was removed after this call.
# Device call 4 (NVIDIA H200), 2026-12-03: dx inside dW1's kernel (FUSED_W1_DX=1: one launch fewer a step; each
# cell's dx computed as the dx kernel computes it). First, alone on the card, the benchmark case interleaved against the
# default, with per-kernel profiles and the whole step in one CUDA graph; then its exactness test; then, if it was
# more than 1% faster, every GPU test of tests/test_fused.py and tests/test_perf.py with it on, side by side.
# Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call4.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
timeout ${T_BENCH:-120} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile,graph --graph-setting X --settings "default:;X:FUSED_W1_DX=1" > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|graph\|host\|Error"
date -u +%FT%TZ
py() { timeout ${T_TESTS:-230} python3 -m pytest -q -s -p no:cacheprovider "$@"; }
py tests/test_fused.py -k "dx_in_dw1" > $R/t0.log 2>&1
q < $R/t0.log | grep "passed\|failed\|FAILED\|Error\|assert" | cut -c1-300
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
  for f in t1 t2 t3 t4 t5; do echo "== $f"; q < $R/$f.log | grep "passed\|failed\|FAILED\|scale, model\|Error" | cut -c1-300; done
fi
date -u +%FT%TZ
