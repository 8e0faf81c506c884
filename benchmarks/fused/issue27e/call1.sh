#!/usr/bin/env bash
# Ran at commit 0510b8c (git checkout 0510b8c to repeat it): the switch it measures, FUSED_COMPACT, was removed after this call.
# Device call 1 (NVIDIA H200), 2026-12-03: dh kept as du and the ReLU mask's bytes (FUSED_COMPACT=1; 48 B a cell
# instead of 256 in the benchmark case), rebuilt by the dW1 and dx kernels. First its exactness and the fused tests
# under it (in parallel), then, alone on the card, the benchmark case interleaved against the default with launch
# variants of the dx and dW1 kernels, per-kernel profiles, and the whole step in one CUDA graph.
# Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call1.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
py() { timeout ${T_TESTS:-240} python3 -m pytest -q -s -p no:cacheprovider "$@"; }
py tests/test_fused.py -k "compact" > $R/t1.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "run_bf16 and products or scale_shape or shadow" > $R/t2.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "run_fp32 and products" > $R/t3.log 2>&1 &
FUSED_COMPACT=1 py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
wait
for f in t1 t2 t3 t4; do echo "== $f"; q < $R/$f.log | grep "passed\|failed\|FAILED\|scale, model\|Error\|assert" | cut -c1-300; done
date -u +%FT%TZ
C=FUSED_COMPACT=1
L="default:;C:$C;Cx128:$C,FUSED_BM_DX=128,FUSED_WARPS_DX=8,FUSED_PER_SM_DX=1;Cx2:$C,FUSED_PER_SM_DX=2"
L="$L;Cx32:$C,FUSED_BM_DX=32,FUSED_PER_SM_DX=8;Cw64:$C,FUSED_BM_W1=64;Cb0:$C,FUSED_B1_FP32=0"
timeout ${T_BENCH:-150} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile --settings "$L" > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|Error"
timeout 80 python3 benchmarks/fused/b1_bench.py --out $R/graph.json --reps 7 --steps 5 \
  --parts graph --graph-setting C --settings "C:$C" > $R/graph.log 2>&1
q < $R/graph.log | grep "graph\|host\|Error"
date -u +%FT%TZ
