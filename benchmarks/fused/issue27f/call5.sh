#!/usr/bin/env bash
# Device call 5 (NVIDIA H200), 2026-12-03: where the dx and dh kernels spend their instructions -- Nsight Compute's
# instruction statistics, warp states and per-instruction (SASS) counters of one launch of each in one training step
# of the benchmark case (memcheck_step.py). Run from a copy of the repository root with OUT set.
source benchmarks/fused/device_call.sh call5
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
python3 benchmarks/fused/memcheck_step.py   # compiles the kernels (TRITON_CACHE_DIR is kept)
for k in _bwd_x_kernel _bwd_h_kernel; do
  timeout 150 $NCU --kernel-name $k --launch-skip 3 --launch-count 1 --section InstructionStats \
    --section WarpStateStats --section SourceCounters -o $R/ncu_$k python3 benchmarks/fused/memcheck_step.py \
    > $R/ncu_$k.log 2>&1
  $NCU --import $R/ncu_$k.ncu-rep --print-details all > $R/ncu_$k.txt 2>&1
  $NCU --import $R/ncu_$k.ncu-rep --page source --print-source sass --csv > $R/ncu_${k}_sass.csv 2>&1
  echo "== $k"; grep -E "Executed Instructions|Issued Instructions|Stall|Branch|Uncoalesced|Est\. " $R/ncu_$k.txt \
    | sed 's/  */ /g' | head -24
  python3 - $R/ncu_${k}_sass.csv <<'PY'
import csv, sys, collections
rows = list(csv.reader(open(sys.argv[1])))
i = next(n for n, r in enumerate(rows) if 'Source' in r)
head, body = rows[i], rows[i + 1:]
col = next(c for c in ('Instructions Executed', 'Warp Instructions Executed', 'inst_executed') if c in head)
src, ex = head.index('Source'), head.index(col)
ops = collections.Counter()
for r in body:
    try: ops[r[src].split()[0].split('.')[0] if not r[src].startswith('@') else r[src].split()[1].split('.')[0]] += float(r[ex] or 0)
    except (IndexError, ValueError): pass
tot = sum(ops.values())
print(f"instructions executed by opcode ({col}, total {tot:.3g}):", ', '.join(f"{o} {v / tot:.1%}" for o, v in ops.most_common(14)))
PY
done
stamp
