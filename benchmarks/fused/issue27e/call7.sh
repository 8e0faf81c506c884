#!/usr/bin/env bash
# Device call 7 (NVIDIA H200), 2026-12-03, on main with the pipelining default, one after the other: the scale preset
# with the default config (model.kernel: auto) and with model.kernel: torch; compute-sanitizer memcheck on one training
# step of the benchmark case; the sweep's last row (cut by call 6's deadline).
# Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call7.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
timeout 60 python3 scripts/ddp_bench.py --out $R/scale_auto.json > $R/scale_auto.log 2>&1
q < $R/scale_auto.log | grep "model.kernel\|samples\|rolled back\|Error" | cut -c1-400
timeout 70 python3 scripts/ddp_bench.py --out $R/scale_torch.json --set model.kernel=torch > $R/scale_torch.log 2>&1
q < $R/scale_torch.log | grep "model.kernel\|samples\|rolled back\|Error" | cut -c1-400
python3 -c "
import json
for k in ('auto', 'torch'):
    try: d = json.load(open('$R/scale_%s.json' % k)); print(k, {x: d[x] for x in d if 'samples' in x or 'cos' in x or x == 'seconds'})
    except Exception as e: print(k, e)"
date -u +%FT%TZ
python3 benchmarks/fused/memcheck_step.py > /dev/null 2>&1
CS=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
timeout 110 ${CS:-compute-sanitizer} --tool memcheck python3 benchmarks/fused/memcheck_step.py > $R/memcheck.log 2>&1
echo "== memcheck"; grep -v "^$" $R/memcheck.log | tail -3
date -u +%FT%TZ
timeout 60 python3 benchmarks/fused/sweep_rows.py --out $R/sweep10.json --reps 11 --min-seconds 0.25 \
  --compiled 6 --rows 10 --deadline 50 > $R/sweep10.log 2>&1
q < $R/sweep10.log | grep "sweep-gpu\|deadline\|Error"
date -u +%FT%TZ
