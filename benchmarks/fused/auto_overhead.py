"""Is `model.kernel: auto` slower than the path it picked? A sweep row (default: 8x8x4 x 512, S 32, H 128, fp32, where
auto measured 7-8% below torch eager in two calls with torch picked) timed alternately with kernel='torch' and
kernel='auto' (medians of --reps each), and the host time of one `Lattice3D.path_for` call once the choice is made.

    python benchmarks/fused/auto_overhead.py --out auto.json --row 2 --rounds 3
"""
import argparse, json, statistics, sys, time
import torch
from embedding_trainer.bench import GPU_SWEEP, sweep_case, run_case

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--row', type=int, default=2)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--reps', type=int, default=5)
    a = p.parse_args()
    shape, batch, S, H, precision = GPU_SWEEP[a.row]
    case = sweep_case(shape, batch, S, H)
    out = {'gpu': torch.cuda.get_device_name(0), 'row': a.row, 'rates': {'torch': [], 'auto': []}}
    for _ in range(a.rounds):
        for k in ('torch', 'auto'):
            r = run_case(case, 'cuda', 'gather', precision, kernel=k, reps=a.reps, stat='median', memory=False)
            out['rates'][k].append(r['cell_steps_per_s'])
            out.setdefault('picks', []).append(r.get('kernel_choice'))
    from embedding_trainer.cube import EmbeddingCube
    cube = EmbeddingCube(case.model_config(kernel='auto')).cuda()
    lat = cube.lattice
    st = lat.zeros(batch, device='cuda')
    lat.path_for(st)
    t0 = time.perf_counter()
    for _ in range(1000): lat.path_for(st)
    out['path_for_us'] = (time.perf_counter() - t0) * 1e3
    med = {k: statistics.median(v) for k, v in out['rates'].items()}
    print(f"row {a.row} {case.name} x {batch} {precision}: torch {out['rates']['torch']}, auto {out['rates']['auto']}; "
          f"medians torch {med['torch']:.3e}, auto {med['auto']:.3e} ({med['auto'] / med['torch'] - 1:+.1%}); "
          f"picks {set(out['picks'])}; path_for {out['path_for_us']:.1f} us per call", flush=True)
    open(a.out, 'w').write(json.dumps(out, indent=1, default=str))
    return 0

if __name__ == '__main__': sys.exit(main())
