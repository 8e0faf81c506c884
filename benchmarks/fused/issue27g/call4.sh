#!/usr/bin/env bash
# Device call 4 (NVIDIA H200), 2026-12-03 (day), at main as it stands (the kernels of 1d9c8ea, the lattice's sizes
# compiled in, so a compile per shape): the shape sweep again, as many rows as the device time left allows (rotated
# rounds, medians of 11; `auto`'s pick per row), written straight to $OUT after each row; first, where the host's time
# goes while it enqueues a step of the benchmark case (host_profile.py: the CUDA graph gained 8% in call 3).
# Run from a copy of the repository root with OUT set.
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=/tmp/tc
EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings; export EMBEDDING_TRAINER_CACHE
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee $OUT/gpu.txt
timeout 80 python3 benchmarks/fused/host_profile.py --steps 3 --top 30 > $OUT/host.log 2>&1
grep "^enqueue" $OUT/host.log; grep -A 22 "== by tottime" $OUT/host.log | cut -c1-160
timeout 230 python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 11 --min-seconds 0.25 --compiled 6 \
  --rows ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} --deadline ${D_SWEEP:-170} > $OUT/sweep.log 2>&1
grep "sweep-gpu\|deadline\|Error" $OUT/sweep.log
python3 benchmarks/fused/sweep_rows.py --summary $OUT/sweep.json
