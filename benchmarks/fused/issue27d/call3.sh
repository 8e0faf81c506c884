#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), 2026-12-02 night, on main as it stands (fused.py last changed by the _switch helper after
# the evening's GPU tests): every GPU test of tests/test_fused.py and the CUDA tests of tests/test_perf.py, side by side;
# compute-sanitizer memcheck on one training step of the benchmark case; the scale preset over seeds 1-3 under torch,
# the fused default, the hidden bias way 4 and dx from dP (seed 0 of each is in BENCHMARKS.md). Run from a copy of the
# repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call3.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
T=${T_TESTS:-420}
py() { timeout $T python3 -m pytest -q -s -p no:cacheprovider "$@"; }
py tests/test_fused.py -k "run_fp32" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "run_bf16 or shadow or deterministic or uses_the_kernel or step_vs" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
(python3 benchmarks/fused/memcheck_step.py > /dev/null 2>&1; CS=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1); timeout 240 ${CS:-compute-sanitizer} --tool memcheck \
  python3 benchmarks/fused/memcheck_step.py > $R/memcheck.log 2>&1) &
timeout ${T_SEEDS:-500} python3 benchmarks/fused/scale_seeds.py --out $R/seeds.json --seeds 1,2,3 \
  --settings "torch:kernel=torch;default:;way4:FUSED_B1_FP32=4;dP:FUSED_W1_DP=1" > $R/seeds.log 2>&1 &
wait
for f in t1 t2 t3 t4 t5; do echo "== $f"; q < $R/$f.log | grep -v "^\s*$\|^  " | grep "passed\|failed\|FAILED\|scale, model\|Error" | cut -c1-300; done
echo "== memcheck"; grep -v "^$" $R/memcheck.log | tail -3
echo "== seeds"; q < $R/seeds.log | grep "seed\|mean\|Error" | cut -c1-300
date -u +%FT%TZ
