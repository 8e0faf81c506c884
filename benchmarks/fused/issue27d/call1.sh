#!/usr/bin/env bash
# Device call 1 (NVIDIA H200), 2026-12-02 night: the shape sweep with rotated, longer rounds (every path's timed calls
# fill >= 0.25 s per round, 11 rounds, the first path one later each round; auto against the fastest path as the
# median of the rounds' ratios); the benchmark case (median of 7) with the whole step in one CUDA graph beside it; the
# scale preset with the default config and with model.kernel: torch; launch settings of the forward and dh kernels
# (registers: fwd 255 + 16 B spilled at 128 rows x 4 warps, 156 at 8 warps; aot_check.py). Run from a copy of the repository root, OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $OUT/gpu.txt
timeout ${T_SWEEP:-240} python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 11 --min-seconds 0.25 \
  --compiled 6 --rows ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} --deadline ${D_SWEEP:-200} > $OUT/sweep.log 2>&1
q < $OUT/sweep.log | grep "sweep-gpu\|deadline\|Error"
python3 - $OUT/sweep.json <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))['rows']:
    print(r['lattice'], r['batch'], r['precision'], 'best', r.get('best'), 'auto', r.get('auto_pick'),
          f"paired {r.get('auto_vs_best', float('nan')):+.3f} medians {r.get('auto_vs_best_medians', float('nan')):+.3f}")
PY
date -u +%FT%TZ
timeout 80 python3 benchmarks/fused/b1_bench.py --out $OUT/bench.json --reps 7 --steps 5 \
  --parts bench,graph --graph-setting default --settings "default:" > $OUT/bench.log 2>&1
q < $OUT/bench.log | grep "^bench\|graph\|Error"
timeout 60 python3 scripts/ddp_bench.py --out $OUT/scale_auto.json > $OUT/scale_auto.log 2>&1
q < $OUT/scale_auto.log | grep "model.kernel\|samples\|rolled back\|Error" | cut -c1-400
timeout 90 python3 scripts/ddp_bench.py --out $OUT/scale_torch.json --set model.kernel=torch > $OUT/scale_torch.log 2>&1
q < $OUT/scale_torch.log | grep "model.kernel\|samples\|rolled back\|Error" | cut -c1-400
python3 -c "
import json
for k in ('auto', 'torch'):
    try: d = json.load(open('$OUT/scale_%s.json' % k)); print(k, {x: d[x] for x in d if 'samples' in x or 'cos' in x or x == 'seconds'})
    except Exception as e: print(k, e)"
L="default:;f64x3:FUSED_BM_FWD=64,FUSED_PER_SM_FWD=3;f128w8:FUSED_WARPS_FWD=8,FUSED_PER_SM_FWD=1"
L="$L;b64w8:FUSED_WARPS_BWD=8,FUSED_PER_SM_BWD=1;b128w8:FUSED_BM_BWD=128,FUSED_WARPS_BWD=8,FUSED_PER_SM_BWD=1"
timeout ${T_LAUNCH:-100} python3 benchmarks/fused/b1_bench.py --out $OUT/launch.json --reps 7 --steps 5 \
  --parts bench,profile --settings "$L" > $OUT/launch.log 2>&1
q < $OUT/launch.log | grep "^bench\|^profile\|Error"
date -u +%FT%TZ
