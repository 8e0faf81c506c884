"""What in `model.kernel: auto`'s first use slows torch eager afterwards? (2026-12-02, NVIDIA H200, 8x8x4 x 512, S 32,
H 128, fp32: torch eager 17.9 ms per step before auto's measurement, 19.8-20.2 ms after it, in the same process, with
the host's time to enqueue a step 11.4 -> 16.1-17.0 ms.) Times a fresh torch-eager cube before and after each piece of
the measurement in turn (each piece once, cumulative), printing after every unit.

    python benchmarks/fused/auto_pieces.py --out pieces.json
"""
import argparse, gc, statistics, sys, time
import torch
from embedding_trainer.bench import GPU_SWEEP, sweep_case
from embedding_trainer.pathchoice import path_seconds, measured_choice
sys.path.insert(0, __file__.rsplit('/', 1)[0])
from results_file import results_saver   # noqa: E402
from auto_overhead import build, times

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--row', type=int, default=2)
    p.add_argument('--reps', type=int, default=7)
    a = p.parse_args()
    shape, batch, S, H, precision = GPU_SWEEP[a.row]
    case = sweep_case(shape, batch, S, H)
    out = {'gpu': torch.cuda.get_device_name(0), 'row': a.row, 'after': []}
    save = results_saver(a.out, out)

    def torch_time(label):
        cube, x, y = build(case, 'torch')
        t, host = times(cube, x, y, precision, a.reps)
        out['after'].append({'piece': label, 'ms': statistics.median(t[1:]) * 1e3,
                             'host_ms': statistics.median(host[1:]) * 1e3, 'gc_counts': gc.get_count(),
                             'gc_objects': len(gc.get_objects())})
        r = out['after'][-1]
        print(f"torch eager after {label}: {r['ms']:.2f} ms per step, host enqueue {r['host_ms']:.2f} ms, "
              f"{r['gc_objects']} objects tracked by gc", flush=True)
        save()

    cube, x, y = build(case, 'auto')
    lat = cube.lattice
    st = lat.zeros(batch, device='cuda').normal_()
    cl = torch.randn(batch, *shape[:2], S, device='cuda')
    lat.train()
    pieces = [
        ('nothing', lambda: None),
        ('nothing (again)', lambda: None),
        ('rng get/set', lambda: (torch.set_rng_state(torch.get_rng_state()),
                                 torch.cuda.set_rng_state(torch.cuda.get_rng_state()))),
        ('fused self-check (fp32, batch 1)', lambda: lat._fused_self_check(st)),
        ('path_seconds torch', lambda: path_seconds(lat, st, cl, 'torch', reps=5)),
        ('path_seconds triton', lambda: path_seconds(lat, st, cl, 'triton', reps=5)),
        ('measured_choice', lambda: measured_choice(lat, st, cl)),
        ('gc.collect', gc.collect),
    ]
    for label, fn in pieces:
        t0 = time.perf_counter(); fn(); torch.cuda.synchronize()
        print(f"{label}: {time.perf_counter() - t0:.2f} s", flush=True)
        torch_time(label)
    return 0

if __name__ == '__main__': sys.exit(main())
