#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-02 night: the whole shape sweep again, as in call 1 (rotated rounds, each path's
# timed calls filling >= 0.25 s per round, 11 rounds), with a deadline that leaves room for the 64^3 rows; call 1 lost
# its sweep JSON (the device returns at most 8 files: everything here is packed into one archive). Run from a copy of
# the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call2.tgz -C $R .' EXIT
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
timeout ${T_SWEEP:-400} python3 benchmarks/fused/sweep_rows.py --out $R/sweep.json --reps 11 --min-seconds 0.25 \
  --compiled 6 --rows ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} --deadline ${D_SWEEP:-360} > $R/sweep.log 2>&1
q < $R/sweep.log | grep "sweep-gpu\|deadline\|Error"
python3 - $R/sweep.json <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))['rows']:
    print(r['lattice'], r['batch'], r['precision'], 'best', r.get('best'), 'auto', r.get('auto_pick'),
          f"paired {r.get('auto_vs_best', float('nan')):+.3f} medians {r.get('auto_vs_best_medians', float('nan')):+.3f}")
PY
date -u +%FT%TZ
