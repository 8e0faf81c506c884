"""Does a sweep row's auto-vs-best gap follow the path or its place in the round? Builds the row's fused, eager and auto
models once (auto measures and picks in its warm-up), then times them with `interleaved_seconds` in several orders.

    python benchmarks/fused/sweep_order.py --out order.json --rows 1,8
"""
import argparse, os, sys
import torch
from embedding_trainer.bench import GPU_SWEEP, sweep_case, case_model, training_step_fn, interleaved_seconds, PATHS
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import results_saver   # noqa: E402

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--rows', default='1,8')
    p.add_argument('--reps', type=int, default=7)
    a = p.parse_args()
    out = {'gpu': torch.cuda.get_device_name(0), 'rows': []}
    dev = torch.device('cuda')
    save = results_saver(a.out, out)
    for i in map(int, a.rows.split(',')):
        shape, batch, S, H, precision = GPU_SWEEP[i]
        case = sweep_case(shape, batch, S, H)
        steps = {}
        for name, kw in [('fused', PATHS['fused']), ('eager', PATHS['eager']), ('auto', dict(kernel='auto'))]:
            cube, cfg, x, y = case_model(case, dev, 'gather', **kw)
            steps[name] = training_step_fn(cube, x, y, dev, precision)
            steps[name]()
        for order in (('fused', 'eager', 'auto'), ('auto', 'eager', 'fused'), ('eager', 'auto', 'fused'),
                      ('fused', 'auto', 'eager')):
            secs = interleaved_seconds({k: steps[k] for k in order}, dev, a.reps)
            rates = {k: case.cell_steps / v for k, v in secs.items()}
            out['rows'].append({'row': i, 'order': order, 'rates': rates})
            print(f"row {i} {case.name} x {batch} {precision}, order {order}: " +
                  ', '.join(f"{k} {rates[k]:.3e}" for k in order), flush=True)
            save()
    return 0

if __name__ == '__main__': sys.exit(main())
