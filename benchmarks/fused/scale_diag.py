"""The fused step on one GPU, in one process: (grads) the `scale` preset's gradients (8x8x4, S = 32, H = 128, batch
8192) from the fused and the torch step against a float64 run, bf16 and fp32, at initialisation and after 100
steps; (fits) `scale` trained 300 steps with model.kernel torch, triton and auto (same seed); (bench) the benchmark
case's fused rate, median of --reps; (launch) per-kernel times of the benchmark case under launch settings.

    python benchmarks/fused/scale_diag.py --out diag.json --parts grads,fits,bench,launch
"""
import argparse, copy, os, statistics, sys, tempfile, time
import torch
from torch.autograd import DeviceType
from embedding_trainer.config import load_config
from embedding_trainer.prepare import prepare_data
from embedding_trainer.adapters import build_for
from embedding_trainer.trainer import train_model
from embedding_trainer.losses import compute_loss
from embedding_trainer.runtime import autocast_for
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import results_saver   # noqa: E402

def grads(model, x, y, precision):
    model.zero_grad(set_to_none=True)
    with autocast_for(x.device, precision): pred = model(x)
    compute_loss(pred.to(y.dtype), y).backward()
    out = {n: p.grad.detach().double().clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad(set_to_none=True)
    return out

def rel(a, b): return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()

def compare(model, x, y, label, res):
    ref64 = copy.deepcopy(model).double(); ref64.lattice.kernel = 'torch'
    g64 = grads(ref64, x.double(), y.double(), 'fp32')
    for prec in ('bf16', 'fp32'):
        got = {}
        for k in ('torch', 'triton'):
            model.lattice.kernel = k
            got[k] = grads(model, x, y, prec)
        for name in g64:
            res.append({'at': label, 'precision': prec, 'param': name, 'norm64': g64[name].norm().item(),
                        'torch': rel(got['torch'][name], g64[name]), 'triton': rel(got['triton'][name], g64[name]),
                        'triton_vs_torch': rel(got['triton'][name], got['torch'][name])})
            r = res[-1]
            print(f"grads {label} {prec} {name:40s} |g64| {r['norm64']:.3e}  torch {r['torch']:.2e}  "
                  f"fused {r['triton']:.2e}  fused-vs-torch {r['triton_vs_torch']:.2e}", flush=True)
    model.lattice.kernel = 'auto'

def part_grads(out):
    cfg = load_config('scale', overrides=[f'checkpoint.dir={tempfile.mkdtemp()}', 'checkpoint.keep_best=false'])
    train, val, _ = prepare_data(cfg, progress=False)
    model = build_for(cfg, train).cuda()
    x, y = train.x[:8192].cuda(), train.y[:8192].cuda()
    res = []
    compare(model, x, y, 'init', res)
    cfg100 = load_config('scale', overrides=[f'checkpoint.dir={tempfile.mkdtemp()}', 'checkpoint.keep_best=false',
                                             'train.max_steps=100', 'model.kernel=torch'])
    model, _ = train_model(cfg100, train, val, progress=False)
    compare(model, x, y, 'step100', res)
    out['grads'] = res

def part_fits(out, kernels):
    res = {}
    for k in kernels:
        cfg = load_config('scale', overrides=[f'checkpoint.dir={tempfile.mkdtemp()}', 'checkpoint.keep_best=false']
                          + ([f'model.kernel={k}'] if k != 'default' else []))
        train, val, _ = prepare_data(cfg, progress=False)
        torch.cuda.synchronize(); t0 = time.perf_counter()
        model, tr = train_model(cfg, train, val, progress=False)
        torch.cuda.synchronize(); sec = time.perf_counter() - t0
        steady = [r['samples_per_s'] for r in tr.history['train'] if r['step'] > 20 and 'samples_per_s' in r]
        ev = tr.history['eval']
        res[k] = {'samples_per_s': statistics.median(steady) if steady else None, 'fit_seconds': sec,
                  'rollbacks': [e['message'] for e in tr.history.get('events', []) if e['kind'] == 'rollback'],
                  'best_val_cosine': tr.best_score, 'best_step': tr.best_step,
                  'final_val_cosine': ev[-1]['val_cosine'] if ev else None,
                  'curve': [(e['step'], e['val_cosine']) for e in ev],
                  'grad_norm': [round(r['grad_norm'], 4) for r in tr.history['train'] if 'grad_norm' in r],
                  'choices': getattr(model.lattice, '_choices', {}),
                  'cuda_peak_mb': max((r.get('cuda_peak_mb', 0) for r in tr.history['train']), default=None)}
        r = res[k]
        print(f"fit {k}: {r['samples_per_s']:.0f} samples/s, {sec:.1f} s, best val cosine {r['best_val_cosine']:.4f} "
              f"(step {r['best_step']}), final {r['final_val_cosine']}, rollbacks {len(r['rollbacks'])}", flush=True)
        for m in r['rollbacks']: print("   ", m[:300])
    out['fits'] = res

def bench_case(reps, kernels=('triton',), memory=True):
    from embedding_trainer.bench import CASES, run_case
    rows = {}
    for k in kernels:
        kw = dict(kernel='torch', compile=True) if k == 'compiled' else dict(kernel=k)
        rates = []
        r = run_case(CASES['gpu'], 'cuda', 'gather', 'bf16', reps=1, memory=memory, **kw)
        rates.append(r['cell_steps_per_s'])
        for _ in range((reps if k in ('triton', 'auto') else 1) - 1):   # compiling again for each: once
            rates.append(run_case(CASES['gpu'], 'cuda', 'gather', 'bf16', reps=1, memory=False,
                                  **kw)['cell_steps_per_s'])
        rows[k] = {'rates': rates, 'median': statistics.median(rates), 'peak_mib': r.get('peak_mib'),
                   'predicted_mib': r.get('predicted_mib'), 'choice': r.get('kernel_choice')}
        print(f"bench gpu case {k}: median {rows[k]['median']:.3e} cell-steps/s of {['%.3e' % v for v in rates]}, "
              f"peak {r.get('peak_mib')} MiB (predicted {r.get('predicted_mib')})", flush=True)
    return rows

def kernel_profile(label):
    "Per-kernel CUDA time of one fused training step of the benchmark case (torch profiler), and the step's wall time."
    from torch.profiler import profile, ProfilerActivity
    from embedding_trainer.bench import CASES, case_model, training_step_fn
    case, dev = CASES['gpu'], torch.device('cuda')
    cube, _, x, y = case_model(case, dev, 'gather', kernel='triton')
    step = training_step_fn(cube, x, y, dev, 'bf16')
    step(); step(); torch.cuda.synchronize()
    walls = []
    for _ in range(3):
        t0 = time.perf_counter(); step(); torch.cuda.synchronize(); walls.append(time.perf_counter() - t0)
    with profile(activities=[ProfilerActivity.CUDA]) as prof: step(); torch.cuda.synchronize()
    per = {}
    for e in prof.key_averages():
        if e.device_type == DeviceType.CUDA:
            per[e.key] = getattr(e, 'self_device_time_total', 0) / 1e3
    total = sum(per.values())
    top = dict(sorted(per.items(), key=lambda kv: -kv[1])[:8])
    wall = min(walls) * 1e3
    print(f"profile {label}: step {wall:.2f} ms ({case.cell_steps / min(walls):.3e} cell-steps/s), GPU kernels "
          f"{total:.2f} ms; " + ', '.join(f"{k[:28]} {v:.2f}" for k, v in top.items()), flush=True)
    return {'wall_ms': wall, 'kernels_ms': total, 'per_kernel_ms': per}

LAUNCH = {  # env settings to try (each kernel's time is read from the profile, so the best of each can be combined)
    'default': {},
    'w8': {'FUSED_WARPS_FWD': '8', 'FUSED_WARPS_BWD': '8', 'FUSED_WARPS_DX': '8', 'FUSED_WARPS_W1': '4'},
    'bm64x4': {'FUSED_BM_FWD': '64', 'FUSED_PER_SM_FWD': '4', 'FUSED_BM_BWD': '32', 'FUSED_PER_SM_BWD': '4',
               'FUSED_BM_DX': '128', 'FUSED_PER_SM_DX': '2', 'FUSED_PER_SM_W1': '2'},
    'stages2': {'FUSED_STAGES_FWD': '2', 'FUSED_STAGES_BWD': '2', 'FUSED_STAGES_W1': '2', 'FUSED_STAGES_DX': '3'},
    'bm128w8': {'FUSED_BM_FWD': '128', 'FUSED_WARPS_FWD': '8', 'FUSED_PER_SM_FWD': '1', 'FUSED_BM_BWD': '128',
                'FUSED_WARPS_BWD': '8', 'FUSED_PER_SM_BWD': '1', 'FUSED_BM_W1': '64', 'FUSED_WARPS_W1': '4',
                'FUSED_BM_DX': '32', 'FUSED_PER_SM_DX': '8'},
}

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--parts', default='grads,fits,bench,launch')
    p.add_argument('--reps', type=int, default=7)
    p.add_argument('--fits', default='torch,triton,default')
    p.add_argument('--bench-kernels', default='triton,torch,compiled,auto')
    p.add_argument('--launch', default=','.join(LAUNCH))
    a = p.parse_args()
    out = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__}
    try:
        import triton; out['triton'] = triton.__version__
    except ImportError: pass
    parts = a.parts.split(',')
    save = results_saver(a.out, out)
    def attempt(name, fn):   # one part failing must not lose the others
        try: fn()
        except Exception as e:
            import traceback; traceback.print_exc()
            out.setdefault('errors', {})[name] = f"{type(e).__name__}: {str(e)[:500]}"
        save()
    if 'grads' in parts: attempt('grads', lambda: part_grads(out))
    if 'bench' in parts: attempt('bench', lambda: out.update(bench=bench_case(a.reps, a.bench_kernels.split(','))))
    if 'launch' in parts:
        out['launch'] = {}
        for name in a.launch.split(','):
            env = LAUNCH[name]
            os.environ.update(env)
            try: out['launch'][name] = {'env': env, **kernel_profile(name)}
            except Exception as e: print(f"launch {name}: FAILED {type(e).__name__}: {str(e)[:300]}", flush=True)
            for k in env: os.environ.pop(k)
            save()
    if 'fits' in parts: attempt('fits', lambda: part_fits(out, a.fits.split(',')))
    return 0

if __name__ == '__main__': sys.exit(main())
