"""Where the host's time goes while it enqueues one training step of the benchmark case (fused, bf16): the time to
enqueue a step against the step's time, then Python's profiler over a few steps (functions by own time and by
cumulative time). The GPU runs ahead of the host only if enqueueing a step takes less than the step.

    python benchmarks/fused/host_profile.py --steps 3 --top 25
"""
import argparse, cProfile, io, os, pstats, sys, time
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from b1_bench import case_step   # noqa: E402

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--steps', type=int, default=3)
    p.add_argument('--top', type=int, default=25)
    a = p.parse_args()
    case, cube, step = case_step()
    for _ in range(3): step(); cube.zero_grad(set_to_none=True)
    for _ in range(5):
        torch.cuda.synchronize(); t0 = time.perf_counter(); step(); t1 = time.perf_counter()
        torch.cuda.synchronize(); t2 = time.perf_counter(); cube.zero_grad(set_to_none=True)
        print(f"enqueue {1e3 * (t1 - t0):.2f} ms, step {1e3 * (t2 - t0):.2f} ms", flush=True)
    prof = cProfile.Profile()
    torch.cuda.synchronize(); prof.enable()
    for _ in range(a.steps): step(); cube.zero_grad(set_to_none=True)
    prof.disable(); torch.cuda.synchronize()
    for key in ('tottime', 'cumtime'):
        s = io.StringIO(); pstats.Stats(prof, stream=s).sort_stats(key).print_stats(a.top)
        lines = [line for line in s.getvalue().splitlines() if line.strip()]
        print(f"== by {key}, {a.steps} steps\n" + '\n'.join(lines), flush=True)

if __name__ == '__main__': main()
