"""The fused step alone at each bf16 row of `et-bench --cases sweep-gpu` (bench.GPU_SWEEP), under settings of its
environment switches, in rotated rounds in one process on one GPU (`bench.interleaved_times`, as the sweep times its
paths): whether a launch default chosen at the benchmark case (dW1 on a second stream, dx's grid) also holds at the
other shapes. Each setting's timed calls per round fill --min-seconds; rates are medians of --reps rounds; `exact`:
whether each setting's gradients of one step are bit for bit the first setting's. (Device call issue27i/call3 ran it
at 137f249, where it timed the rounds with a loop of its own, in a fixed order.)

    python benchmarks/fused/side_shapes.py --out shapes.json --settings "default:;noside:FUSED_W1_SIDE=0"
"""
import argparse, os, statistics, sys, time
import torch
import embedding_trainer.fused as fused
from embedding_trainer.bench import GPU_SWEEP, case_model, interleaved_times, sweep_case, training_step_fn
from embedding_trainer.losses import compute_loss
from embedding_trainer.runtime import autocast_for
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from b1_bench import Env, parse   # noqa: E402
from results_file import results_saver   # noqa: E402

def under(env, step):
    "`step` run with the environment switches `env` set."
    def run():
        with Env(env): step()
    return run

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--settings', required=True)
    p.add_argument('--rows', default=','.join(str(i) for i, r in enumerate(GPU_SWEEP) if r[4] == 'bf16'))
    p.add_argument('--reps', type=int, default=7)
    p.add_argument('--min-seconds', type=float, default=0.2)
    a = p.parse_args()
    settings = parse(a.settings)
    fused.GRAPH_CACHE = len(settings) + 1   # every setting's graphs kept: each round replays, none re-captures
    out = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__, 'date': time.strftime('%Y-%m-%d %H:%M'),
           'reps': a.reps, 'min_seconds': a.min_seconds, 'rows': []}
    save = results_saver(a.out, out)
    dev = torch.device('cuda')
    for i in map(int, a.rows.split(',')):
        shape, batch, S, H, prec = GPU_SWEEP[i]
        case = sweep_case(shape, batch, S, H)
        fused.drop_fused_graphs()
        cube, _, x, y = case_model(case, dev, 'gather', kernel='triton')
        step = training_step_fn(cube, x, y, dev, prec)
        grads = {}
        for name, env in settings.items():   # compile and capture; one step's gradients for `exact`
            with Env(env):
                step(); cube.zero_grad(set_to_none=True)
                with autocast_for(dev, prec): pred = cube(x)
                compute_loss(pred, y).backward()
            grads[name] = {k: q.grad.clone() for k, q in cube.named_parameters() if q.grad is not None}
            cube.zero_grad(set_to_none=True)
        times = interleaved_times({n: under(env, step) for n, env in settings.items()}, dev, a.reps, calls=1,
                                  min_seconds=a.min_seconds)
        rates = {n: [case.cell_steps / t for t in v] for n, v in times.items()}
        first = next(iter(settings))
        row = dict(index=i, case=f"{case.name} x {batch} S{S} H{H} {prec}", T=case.steps, settings={})
        for name in settings:
            differ = [k for k in grads[name] if not torch.equal(grads[name][k], grads[first][k])]
            row['settings'][name] = dict(env=settings[name], median=statistics.median(rates[name]),
                                         rates=rates[name], differ=differ)
        best = max(row['settings'], key=lambda n: row['settings'][n]['median'])
        print(f"{row['case']} T{case.steps}: " + ', '.join(
            f"{n} {v['median']:.3e}{'' if not v['differ'] else ' (gradients differ)'}"
            for n, v in row['settings'].items()) + f"; fastest {best}", flush=True)
        out['rows'].append(row); save()
        del cube, step
    return 0

if __name__ == '__main__':
    sys.exit(main())
