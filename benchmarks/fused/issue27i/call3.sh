#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), 2026-12-03 (third day session): dx's grid as many programs as tiles is the default with
# dW1 beside (FUSED_PRIORITY of call 1 removed): the benchmark case against the previous default (dx at 2 programs a
# multiprocessor) and against dW1's stream at a higher priority; the fused step at every bf16 row of the sweep under
# the new default, the previous one and without dW1 beside (side_shapes.py); the graph and training tests; the `scale`
# preset with both kernels. Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call3
T_BENCH=70 bench bench "default:;dx2:FUSED_PER_SM_DX=2" bench,exact,profile
T_BENCH=70 bench w1hi "default:;w1hi:FUSED_W1_PRIORITY=-1" bench,exact
stamp
timeout 240 python3 benchmarks/fused/side_shapes.py --out $R/shapes.json \
  --settings "default:;dx2:FUSED_PER_SM_DX=2;noside:FUSED_W1_SIDE=0" > $R/shapes.log 2>&1
q < $R/shapes.log | grep "sweep-gpu\|Error" | cut -c1-300; stamp
T_TESTS=120
py tests/test_fused.py -k "cuda_graphs or deterministic" > $R/t1.log 2>&1 &
py tests/test_fused.py -k "scale_trains" > $R/t2.log 2>&1 &
wait
show t1 t2; stamp
scale_pair; stamp
