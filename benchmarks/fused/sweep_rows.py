"""Rows of `et-bench --cases sweep-gpu` (bench.GPU_SWEEP) in a chosen order, each written to --out as soon as it is
done, until --deadline seconds have passed (a device call has a time limit): rates are medians of --reps.

    python benchmarks/fused/sweep_rows.py --out sweep.json --rows 1,2,8 --reps 11 --min-seconds 0.25 --deadline 200
    python benchmarks/fused/sweep_rows.py --summary sweep.json     # the rows as BENCHMARKS.md's table
"""
import argparse, json, os, sys, time
import torch
from embedding_trainer.bench import GPU_SWEEP, SWEEP_GPU_MIN_SECONDS, format_sweep_gpu, sweep_gpu
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import results_saver   # noqa: E402

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out')
    p.add_argument('--summary', help='print this sweep file as a Markdown table and stop')
    p.add_argument('--rows', default=','.join(map(str, range(len(GPU_SWEEP)))))
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--deadline', type=float, default=1e9)
    p.add_argument('--min-seconds', type=float, default=SWEEP_GPU_MIN_SECONDS,
                   help="each path's timed calls per round fill this")
    p.add_argument('--compiled', default='', help='indices of the rows that also time torch.compile')
    a = p.parse_args()
    if a.summary: return print(format_sweep_gpu(json.load(open(a.summary))['rows']))
    if not a.out: p.error('--out is required to measure')
    t0 = time.time()
    compiled = {int(i) for i in a.compiled.split(',') if i}
    out = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__, 'date': time.strftime('%Y-%m-%d'),
           'reps': a.reps, 'min_seconds': a.min_seconds, 'stat': 'median', 'rows': []}
    save = results_saver(a.out, out)
    for i in map(int, a.rows.split(',')):
        if time.time() - t0 > a.deadline:
            print(f"row {i}: not run (deadline)", flush=True); continue
        row = sweep_gpu('cuda', cases=[GPU_SWEEP[i]], compiled=(0,) if i in compiled else (), reps=a.reps,
                        min_seconds=a.min_seconds)[0]
        row['index'], row['seconds'] = i, time.time() - t0
        out['rows'].append(row)
        save()
    return 0

if __name__ == '__main__': sys.exit(main())
