#!/usr/bin/env bash
# Device call 2 (NVIDIA H200), 2026-12-03 (day), at 9f19253. Call 1 found that the dh kernel takes as long without its
# gathers and first layer (relu(h) read from memory: 4.78 ms) as with them (4.80): its time is elsewhere. Here, in a
# copy with `ablate_dh.patch` applied (FUSED_ABL: measurement only, wrong gradients), the dh kernel with parts of its
# work left out: 1 the update bias's column sum, 2 dW2's product, 4 dh's store, 8 the du @ W2 product; FUSED_B1_FP32=0
# leaves out the hidden bias's fp32 sum. Then, on main as it is, every fused GPU test, test_perf's CUDA tests and the
# `scale` preset with the default config and with model.kernel: torch.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call2
A=$(mktemp -d); cp -r . $A/; cp benchmarks/fused/issue27g/ablate_fused.py $A/embedding_trainer/fused.py
(cd $A && PYTHONPATH=$A timeout 170 python3 benchmarks/fused/b1_bench.py --out $R/ablate.json --reps 3 --steps 3 \
  --parts bench,profile --settings "base:;way0:FUSED_B1_FP32=0;nob2:FUSED_ABL=1;nodw2:FUSED_ABL=2;nostore:FUSED_ABL=4;\
nodr:FUSED_ABL=8;none:FUSED_ABL=15,FUSED_B1_FP32=0" > $R/ablate.log 2>&1)
q < $R/ablate.log | grep "^bench\|^profile\|Error"
stamp
T_TESTS=250
py tests/test_fused.py -k "index_arithmetic or shadow or deterministic or uses_the_kernel" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "run_bf16" > $R/t2.log 2>&1 &
py tests/test_fused.py -k "scale_shape or hidden_bias" > $R/t3.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t4.log 2>&1 &
py tests/test_fused.py -k "run_fp32" > $R/t5.log 2>&1 &
py tests/test_perf.py -k "cuda" > $R/t6.log 2>&1 &
wait
show t1 t2 t3 t4 t5 t6; stamp
scale_pair; stamp
