#!/usr/bin/env bash
# Device call 6 (NVIDIA H200), 2026-12-03, on main with the new launch defaults (bf16, hidden <= 128: the forward at 2
# pipelining stages where the perception is <= 128 wide, dx at 3 stages and 3 programs per multiprocessor): the
# benchmark case against the old defaults, interleaved, with profiles and the bit-for-bit check; the bf16 GPU tests,
# the S = 32 gradient tests, the scale training test and the CUDA perf tests, side by side; then the shape sweep.
# Run from a copy of the repository root with OUT set.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
R=$(mktemp -d); trap 'tar czf $OUT/call6.tgz -C $R .' EXIT   # the device returns at most 8 files
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|DeprecationWarning\|get_autocast\|^$"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; date -u +%FT%TZ; } | tee $R/gpu.txt
timeout ${T_BENCH:-90} python3 benchmarks/fused/b1_bench.py --out $R/bench.json --reps 7 --steps 5 \
  --parts bench,profile,exact --settings "old:FUSED_STAGES_FWD=1,FUSED_STAGES_DX=2,FUSED_PER_SM_DX=4;default:" \
  > $R/bench.log 2>&1
q < $R/bench.log | grep "^bench\|^profile\|^exact\|Error"
date -u +%FT%TZ
py() { timeout ${T_TESTS:-200} python3 -m pytest -q -s -p no:cacheprovider "$@"; }
py tests/test_fused.py -k "run_bf16 or shadow or deterministic or uses_the_kernel or step_vs" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t5.log 2>&1 &
wait
for f in t2 t3 t4 t5; do echo "== $f"; q < $R/$f.log | grep "passed\|failed\|FAILED\|scale, model\|Error" | cut -c1-300; done
date -u +%FT%TZ
timeout ${T_SWEEP:-270} python3 benchmarks/fused/sweep_rows.py --out $R/sweep.json --reps 11 --min-seconds 0.25 \
  --compiled 6 --rows ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} --deadline ${D_SWEEP:-230} > $R/sweep.log 2>&1
q < $R/sweep.log | grep "sweep-gpu\|deadline\|Error"
python3 - $R/sweep.json <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))['rows']:
    print(r['lattice'], r['batch'], r['precision'], 'best', r.get('best'), 'auto', r.get('auto_pick'),
          f"paired {r.get('auto_vs_best', float('nan')):+.3f} medians {r.get('auto_vs_best_medians', float('nan')):+.3f}")
PY
date -u +%FT%TZ
