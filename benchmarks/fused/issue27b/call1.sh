#!/usr/bin/env bash
# Device call 1 (NVIDIA H200): the hidden bias's ways (FUSED_B1_FP32 0-3) on the benchmark case, interleaved, with
# per-kernel profiles, the biases' gradients against float64 and the whole step in one CUDA graph; the code of
# 49509d8 (OLD, before the fp32 bias sums) on the same case; the GPU tests; then sweep rows until the deadline.
# Run from a copy of the repository root with OUT set; OLD names a folder holding 49509d8's embedding_trainer.
set -uo pipefail
export MPLBACKEND=Agg HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONPATH=$PWD TRITON_CACHE_DIR=$OUT/tc
export EMBEDDING_TRAINER_CACHE=$(mktemp -d)/embeddings
q() { grep -v "^AUTOTUNE\|^  triton\|SingleProcess\|LightConeWarning\|check_light_cone\|^$"; }
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.max.sm --format=csv | tee $OUT/gpu.txt
date -u +%FT%TZ >> $OUT/gpu.txt
timeout 120 python3 benchmarks/fused/b1_bench.py --out $OUT/b1.json --reps 7 --steps 5 \
  --settings "main(1):FUSED_B1_FP32=1;row(0):FUSED_B1_FP32=0;atomic(2):FUSED_B1_FP32=2;lo(3):FUSED_B1_FP32=3" \
  2>&1 | q | tee $OUT/b1.log
(cd ${OLD:-old} && PYTHONPATH=$PWD timeout 60 python3 $OLDPWD/benchmarks/fused/b1_bench.py --out $OUT/old.json \
  --reps 5 --steps 5 --parts bench --settings "49509d8:" 2>&1 | q | tee $OUT/old.log)
timeout 150 python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py -k test_scale_trains_like_torch \
  > $OUT/test_train.log 2>&1 &
timeout 150 python3 -m pytest -q -s -p no:cacheprovider tests/test_fused.py \
  -k "hidden_bias or scale_shape or deterministic or (run_bf16 and 32x32x32)" > $OUT/test_grads.log 2>&1
wait
q < $OUT/test_grads.log | tail -15; q < $OUT/test_train.log | tail -8
timeout ${T_SWEEP:-120} python3 benchmarks/fused/sweep_rows.py --out $OUT/sweep.json --reps 5 \
  --rows ${ROWS:-1,2,8,5,0,3,4,6,7,9,10} --deadline ${D_SWEEP:-90} 2>&1 | q | tee $OUT/sweep.log
