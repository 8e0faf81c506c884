"""Is `model.kernel: auto` slower than the path it picked? A sweep row (default: 8x8x4 x 512, S 32, H 128, fp32, where
auto measured 7-8% below torch eager in two calls with torch picked), built with kernel='torch' and kernel='auto' in
alternation: every repetition's seconds (the first 'auto' build measures the paths in its warm-up; later ones read
the choice from the cache file), the host time to enqueue one step against the step, and the host time of one
`Lattice3D.path_for` call once the choice is made. Prints after every unit.

    python benchmarks/fused/auto_overhead.py --out auto.json --row 2 --rounds 3
"""
import argparse, os, statistics, sys, time
import torch
import torch.nn.functional as F
from embedding_trainer.bench import GPU_SWEEP, sweep_case
from embedding_trainer.runtime import autocast_for
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.losses import compute_loss
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import results_saver   # noqa: E402

def build(case, kernel):
    torch.manual_seed(0)
    cube = EmbeddingCube(case.model_config(kernel=kernel)).cuda()
    cube.lattice.perception = 'gather'
    x = F.normalize(torch.randn(case.batch, cube.config.embedding_dim, device='cuda'), dim=-1)
    y = F.normalize(torch.randn(case.batch, cube.config.embedding_dim, device='cuda'), dim=-1)
    return cube, x, y

def times(cube, x, y, precision, reps):
    def step():
        with autocast_for(torch.device('cuda'), precision): pred = cube(x)
        compute_loss(pred, y).backward()
        cube.zero_grad(set_to_none=True)
    out, host = [], []
    for _ in range(1 + reps):
        torch.cuda.synchronize(); t0 = time.perf_counter(); step(); t1 = time.perf_counter(); torch.cuda.synchronize()
        out.append(time.perf_counter() - t0); host.append(t1 - t0)
    return out, host

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--row', type=int, default=2)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--reps', type=int, default=7)
    a = p.parse_args()
    shape, batch, S, H, precision = GPU_SWEEP[a.row]
    case = sweep_case(shape, batch, S, H)
    out = {'gpu': torch.cuda.get_device_name(0), 'row': a.row, 'runs': []}
    save = results_saver(a.out, out)
    for r in range(a.rounds):
        for k in ('torch', 'auto'):
            cube, x, y = build(case, k)
            t, host = times(cube, x, y, precision, a.reps)
            pick = next((c['path'] for c in cube.lattice._choices.values()), None)
            out['runs'].append({'round': r, 'kernel': k, 'pick': pick, 'seconds': t, 'host_seconds': host})
            print(f"round {r} {k} (pick {pick}): warm-up {t[0] * 1e3:.1f} ms, then " +
                  ' '.join(f"{v * 1e3:.1f}" for v in t[1:]) + f" ms; median {statistics.median(t[1:]) * 1e3:.2f} ms;"
                  f" host enqueue median {statistics.median(host[1:]) * 1e3:.2f} ms", flush=True)
            save()
    cube, x, y = build(case, 'auto')
    lat = cube.lattice
    st = lat.zeros(batch, device='cuda')
    lat.path_for(st)
    t0 = time.perf_counter()
    for _ in range(1000): lat.path_for(st)
    out['path_for_us'] = (time.perf_counter() - t0) * 1e3
    print(f"path_for: {out['path_for_us']:.1f} us per call", flush=True)
    save()
    return 0

if __name__ == '__main__': sys.exit(main())
