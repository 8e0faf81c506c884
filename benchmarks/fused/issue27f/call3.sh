#!/usr/bin/env bash
# Device call 3 (NVIDIA H200), 2026-12-03: what limits each fused kernel, read from the card's counters -- Nsight
# Compute on one launch of each of the four kernels (the fourth of its kind) in one training step of the benchmark case
# (memcheck_step.py): speed of light, memory workload, occupancy, warp states, scheduler, launch statistics.
# Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call3
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
echo "ncu: ${NCU:-none}"; ${NCU:-true} --version | tail -1
python3 benchmarks/fused/memcheck_step.py   # compiles the kernels (TRITON_CACHE_DIR is kept)
for k in _bwd_x_kernel _bwd_h_kernel _bwd_w1_kernel _fwd_kernel; do
  timeout 120 $NCU --kernel-name $k --launch-skip 3 --launch-count 1 --section SpeedOfLight \
    --section MemoryWorkloadAnalysis --section Occupancy --section WarpStateStats --section SchedulerStats \
    --section LaunchStats --section ComputeWorkloadAnalysis python3 benchmarks/fused/memcheck_step.py \
    > $R/ncu_$k.txt 2>&1
  echo "== $k"
  grep -E "ERR|Error|Duration|Throughput|Busy|Hit Rate|Achieved Occupancy|Theoretical Occupancy|Block Limit|Warp Cycles Per Issued|Issued Warp Per|No Eligible|Active Warps Per|Registers Per|Shared Memory Config|Dynamic Shared" \
    $R/ncu_$k.txt | sed 's/  */ /g' | head -34
done
stamp
