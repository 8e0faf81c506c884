#!/usr/bin/env bash
# Units of the translation study on a CUDA GPU, one round of parallel workers (scripts/translate_units.py), with
# the card, the load and the GPU's use logged every 10 s. Run from the repository root:
#   OUT=results LIMIT=560 scripts/translate_gpu.sh --embeddings EMB --match 'N 29k$' --seeds 0-4
# Writes $OUT/tr/rows.jsonl (a row per finished unit, as it finishes), $OUT/units.log and $OUT/monitor.log.
set -uo pipefail
OUT=${OUT:-$PWD/out}; mkdir -p "$OUT"
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee "$OUT/monitor.log"
( while sleep 10; do echo "$(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg) gpu $(nvidia-smi \
    --query-gpu=utilization.gpu,memory.used --format=csv,noheader 2>&1)"; done ) >>"$OUT/monitor.log" 2>&1 &
mon=$!
# stop short of the call's limit: the rows of finished units are on disk, a unit cut short leaves none
timeout -s INT "${LIMIT:-560}" $PY scripts/translate_units.py run --out "$OUT/tr" "$@" 2>&1 | tee "$OUT/units.log"
rc=${PIPESTATUS[0]}
kill "$mon" 2>/dev/null
echo "exit $rc; $(grep -c . "$OUT/tr/rows.jsonl" 2>/dev/null || echo 0) row(s) in $OUT/tr/rows.jsonl"
exit "$rc"
