"""The benchmark case (32^3 x 16, T = 32, S 16, H 128, bf16, fused) under settings of the fused step's environment
switches, repetitions interleaved (setting A, B, C, A, B, C, ...) in one process on one GPU, so that before and after
share the card, the clocks and the neighbours; then each setting's per-kernel profile, the hidden bias's gradient
of each setting against a float64 run at the `scale` preset's shape, and (--graph) the whole training step
captured in one CUDA graph (the most that graphs over the launches could give); `exact`: whether each setting's
gradients of one step are bit for bit the first setting's.

    python benchmarks/fused/b1_bench.py --out b1.json --settings "main:FUSED_B1_FP32=1;bf16row:FUSED_B1_FP32=0"
"""
import argparse, copy, os, statistics, sys, time
import torch
from embedding_trainer.bench import CASES, case_model
from embedding_trainer.losses import compute_loss
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_file import results_saver   # noqa: E402

def parse(spec):
    out = {}
    for part in spec.split(';'):
        name, _, env = part.partition(':')
        out[name] = dict(kv.split('=') for kv in env.split(',') if kv)
    return out

class Env:
    def __init__(self, env): self.env, self.old = env, {}
    def __enter__(self):
        for k, v in self.env.items(): self.old[k] = os.environ.get(k); os.environ[k] = v
    def __exit__(self, *a):
        for k, v in self.old.items():
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v

def case_step():
    case = CASES['gpu']
    cube, _, x, y = case_model(case, torch.device('cuda'), 'gather', kernel='triton')
    def step():   # (gradients accumulate: the graph part needs them in place)
        with torch.autocast('cuda', dtype=torch.bfloat16): pred = cube(x)
        compute_loss(pred, y).backward()
    return case, cube, step

def timed(step, n):
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(n): step()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / n

def bench(settings, reps, steps, out, save):
    case, cube, step = case_step()
    for name, env in list(settings.items()):   # compile each variant, warm up; one that cannot run is left out
        try:
            with Env(env): step(); step()
        except Exception as e:
            print(f"bench {name} {env}: left out, it did not run: {type(e).__name__}: {str(e)[:300]}", flush=True)
            out.setdefault('errors', {})[name] = f"{type(e).__name__}: {str(e)[:500]}"
            del settings[name]
            cube.zero_grad(set_to_none=True)
    rates = {n: [] for n in settings}
    for r in range(reps):
        for name, env in settings.items():
            with Env(env):
                cube.zero_grad(set_to_none=True)
                rates[name].append(case.cell_steps / timed(lambda: (step(), cube.zero_grad(set_to_none=True)), steps))
    res = {n: {'median': statistics.median(v), 'rates': v, 'env': settings[n]} for n, v in rates.items()}
    for n, v in res.items():
        print(f"bench {n} {v['env']}: median {v['median']:.3e} cell-steps/s over {reps} reps of {steps} steps "
              f"(min {min(v['rates']):.3e}, max {max(v['rates']):.3e})", flush=True)
    out['bench'] = res; save()
    return case, cube, step

def profile(settings, out, save, case_cube_step):
    from torch.profiler import profile as prof_, ProfilerActivity
    from torch.autograd import DeviceType
    case, cube, step = case_cube_step
    out['profile'] = {}
    for name, env in settings.items():
        with Env(env):
            step(); torch.cuda.synchronize()
            with prof_(activities=[ProfilerActivity.CUDA]) as prof: step(); torch.cuda.synchronize()
        per = {e.key: e.self_device_time_total / 1e3 for e in prof.key_averages() if e.device_type == DeviceType.CUDA}
        top = dict(sorted(per.items(), key=lambda kv: -kv[1])[:6])
        out['profile'][name] = {'kernels_ms': sum(per.values()), 'per_kernel_ms': per}
        print(f"profile {name}: GPU kernels {sum(per.values()):.2f} ms; " +
              ', '.join(f"{k[:22]} {v:.2f}" for k, v in top.items()), flush=True)
        save()

def exact(settings, out, save, case_cube_step):
    "Whether each setting's gradients of one training step of the case are bit for bit the first setting's."
    case, cube, step = case_cube_step
    grads = {}
    for name, env in settings.items():
        with Env(env):
            cube.zero_grad(set_to_none=True)
            step(); torch.cuda.synchronize()
        grads[name] = {n: p.grad.detach().clone() for n, p in cube.named_parameters() if p.grad is not None}
    first = next(iter(grads))
    out['exact'] = {}
    for name, g in grads.items():
        differ = [n for n in g if not torch.equal(g[n], grads[first][n])]
        out['exact'][name] = {'tensors': len(g), 'differ': differ}
        print(f"exact {name} against {first}: {len(g) - len(differ)} of {len(g)} gradients bit for bit"
              + (f"; differ: {differ}" if differ else ''), flush=True)
    cube.zero_grad(set_to_none=True)
    save()

def bias_grads(settings, out, save):
    "The hidden and update biases' gradients at the scale preset's lattice shape, each setting against float64."
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tests'))
    from test_fused import _inputs, eager_run, run_and_grads, rel
    from embedding_trainer.fused import fused_lattice_steps
    r = ((8, 8, 4), 8192, 32, 128, 6, 'zero', 'learned', 6, True, False)
    lat, st, clamp, masks, T = _inputs(r)
    ref = run_and_grads(lambda l, s, c: eager_run(l, s, c, T, None), copy.deepcopy(lat).double(), st.double(),
                        clamp.double())
    def torch_run(l, s, c):
        with torch.autocast('cuda', dtype=torch.bfloat16): return eager_run(l, s, c, T, None)
    res = {'torch': {k: rel(v, ref[k]) for k, v in run_and_grads(torch_run, lat, st, clamp).items()}}
    for name, env in settings.items():
        with Env(env):
            def fused_run(l, s, c):
                with torch.autocast('cuda', dtype=torch.bfloat16):
                    return fused_lattice_steps(l, s, c, T, None, bf16=True)
            g = run_and_grads(fused_run, lat, st, clamp)
        res[name] = {k: rel(v, ref[k]) for k, v in g.items()}
    keys = [k for k in ref if 'bias' in k]
    for name, v in res.items():
        print(f"bias grads vs float64, 8x8x4 x 8192 S32 H128 bf16, {name}: " +
              ', '.join(f"{k} {v[k]:.2e}" for k in keys), flush=True)
    out['bias_grads'] = res; save()

def graphed(out, save, reps, steps, env=None):
    "The whole training step (forward, loss, backward) in one CUDA graph: the launch gaps' share, measured."
    with Env(env or {}): _graphed(out, save, reps, steps)
    out['graph']['env'] = env or {}

def _graphed(out, save, reps, steps):
    case, cube, step = case_step()
    for p in cube.parameters(): p.grad = torch.zeros_like(p)
    s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2): step()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g): step()
    eager, graph, dispatch = [], [], []
    for _ in range(reps):   # CPU time to enqueue one step against its time on the GPU: is the host the limit?
        torch.cuda.synchronize(); t0 = time.perf_counter(); step(); t1 = time.perf_counter()
        torch.cuda.synchronize(); dispatch.append(((t1 - t0) * 1e3, (time.perf_counter() - t0) * 1e3))
    for _ in range(reps):
        eager.append(case.cell_steps / timed(step, steps))
        graph.append(case.cell_steps / timed(g.replay, steps))
    out['graph'] = {'eager': eager, 'graph': graph, 'eager_median': statistics.median(eager),
                    'graph_median': statistics.median(graph), 'dispatch_ms_vs_step_ms': dispatch}
    print("host time to enqueue a step / the step (ms): " + ', '.join(f"{a:.1f}/{b:.1f}" for a, b in dispatch))
    print(f"graph: whole step in one CUDA graph {statistics.median(graph):.3e} cell-steps/s against "
          f"{statistics.median(eager):.3e} launched (medians of {reps} x {steps} steps, interleaved)", flush=True)
    save()

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', required=True)
    p.add_argument('--settings', default='main:FUSED_B1_FP32=1;bf16row:FUSED_B1_FP32=0')
    p.add_argument('--reps', type=int, default=7)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--parts', default='bench,profile,bias,graph')
    p.add_argument('--graph-setting', default='', help='the setting (a name of --settings) the graph part runs')
    a = p.parse_args()
    settings = parse(a.settings)
    out = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__, 'settings': settings}
    save = results_saver(a.out, out)
    parts = a.parts.split(',')
    ccs = None
    def attempt(name, fn):
        try: return fn()
        except Exception as e:
            import traceback; traceback.print_exc()
            out.setdefault('errors', {})[name] = f"{type(e).__name__}: {str(e)[:500]}"; save()
    if 'bench' in parts: ccs = attempt('bench', lambda: bench(settings, a.reps, a.steps, out, save))
    if 'profile' in parts and ccs: attempt('profile', lambda: profile(settings, out, save, ccs))
    if 'exact' in parts and ccs: attempt('exact', lambda: exact(settings, out, save, ccs))
    if 'bias' in parts: attempt('bias', lambda: bias_grads(settings, out, save))
    if 'graph' in parts: attempt('graph', lambda: graphed(out, save, a.reps, a.steps, settings.get(a.graph_setting)))
    return 0

if __name__ == '__main__': sys.exit(main())
