"Fast lattice paths against the per-cell reference, memory prediction against measurement, batch search, et-bench."
import json, os, subprocess, sys, time, warnings
from pathlib import Path
import pytest
import torch
from embedding_trainer.errors import MemoryBudgetError, PerformanceWarning
from embedding_trainer.lattice import Lattice3D, reference_step
from embedding_trainer.cube import EmbeddingCube
from embedding_trainer.memory import (estimate_memory, training_step_peak, auto_batch_size, halve_on_oom,
                                      _check_estimate)
from embedding_trainer.fastchecks import check_fast_paths, _run_outputs

ROOT = Path(__file__).resolve().parents[1]
SLOW = os.environ.get('ET_SLOW') == '1'
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA device')


def test_fast_paths_match_reference_cpu():
    res = check_fast_paths('cpu')
    assert len(res) == 20 and all(r['ok'] for r in res)
    assert max(r['error'] for r in res if r['precision'] == 'fp32') < 1e-5


@pytest.mark.parametrize('nb,boundary', [(6, 'zero'), (6, 'periodic'), (26, 'zero'), (26, 'periodic')])
def test_training_run_matches_reference(nb, boundary):
    "Several steps with clamp, fire mask and checkpointing: output and gradients equal a reference-stepped run."
    torch.manual_seed(0)
    lat = Lattice3D((3, 4, 3), 4, 8, nb, boundary, fire_rate=0.5, update_init=1.0, recompute_every=2)
    st, plane = torch.randn(2, 3, 4, 3, 4), torch.randn(2, 3, 4, 4)
    torch.manual_seed(1); out = lat.train()(st, clamp=plane, steps=3)
    out.pow(2).mean().backward()
    fast = [out.detach()] + [p.grad.clone() for p in lat.parameters()]
    lat.zero_grad()
    torch.manual_seed(1); s = st                      # the same masks: the same random draws in the same order
    for _ in range(3):
        s = torch.cat([plane.unsqueeze(3), s[:, :, :, 1:]], dim=3)
        mask = (torch.rand(s.shape[:-1] + (1,)) < 0.5).float()
        s = reference_step(lat, s, mask)
    s.pow(2).mean().backward()
    ref = [s.detach()] + [p.grad for p in lat.parameters()]
    for a, b in zip(fast, ref): torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


# The fp32 state under bf16 and the fallback after a failed compilation are tested in nbs/04_lattice.ipynb.


@pytest.mark.parametrize('k', [0, 2, 4])
def test_compiled_run_passes_checkpointing_through(monkeypatch, k):
    "The compiled run (graphs of 4 steps, then single steps) with step checkpointing: same numbers as the eager run,"
    "and checkpointing's early stop of a recomputation is not taken for a compile failure."
    monkeypatch.setattr(torch, 'compile', lambda fn, **kw: fn)   # 'compiled' functions run as written: no compiler
    torch.manual_seed(0)
    lat = Lattice3D((4, 3, 3), 8, 16, steps=6, fire_rate=0.5, recompute_every=k, update_init=1.0)
    st, clamp = torch.randn(2, 4, 3, 3, 8), torch.randn(2, 4, 3, 8)
    eager = _run_outputs(lat, st, clamp)
    lat.compile_mode = True
    with warnings.catch_warnings():
        warnings.simplefilter('error', PerformanceWarning)   # no fallback
        compiled = _run_outputs(lat, st, clamp)
    assert lat.compile_mode is True and lat._compiled_steps is not None
    for a, b in zip(eager, compiled): torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


@pytest.mark.skipif(not SLOW, reason='compiling takes ~1 min on 2 cores: ET_SLOW=1 to run')
def test_compiled_paths_match_reference_cpu():
    res = check_fast_paths('cpu', compile=True)
    assert any(r['compile'] for r in res) and all(r['ok'] for r in res)


@cuda
def test_fast_paths_match_reference_cuda():
    res = check_fast_paths('cuda', compile=True)
    assert any(r['compile'] for r in res) and all(r['ok'] for r in res)


@pytest.mark.parametrize('over',
                         [dict(), dict(neighbourhood=26, boundary='periodic'), dict(fire_rate=0.5, recompute_every=3)])
def test_memory_estimate_within_25_percent(over):
    est, got = _check_estimate({**dict(face=(6, 6), values_per_cell=4, embedding_dim=144, depth=5, steps=6), **over},
                               batch=12)
    assert abs(est / got - 1) < 0.25, (est, got)


@cuda
def test_memory_estimate_within_25_percent_cuda():
    est, got = _check_estimate(dict(face=(16, 16), values_per_cell=4, embedding_dim=1024, depth=16, steps=16,
                                    hidden_dim=64), 8, 'cuda')
    assert abs(est / got - 1) < 0.25, (est, got)


def test_checkpointing_memory_per_cell_step():
    "The benchmark's CPU lattice (8x8x12, T=24): <= 150 B per cell-step with checkpointing every 4 steps."
    cells = 8 * 8 * 12 * 4 * 24
    plain = _check_estimate(dict(face=(8, 8), values_per_cell=6, embedding_dim=384, depth=12, steps=24), 4)[1] / cells
    ckpt = _check_estimate(dict(face=(8, 8), values_per_cell=6, embedding_dim=384, depth=12, steps=24,
                                recompute_every=4),
                           4)[1] / cells
    assert ckpt <= 150 and plain / ckpt > 2.5, (plain, ckpt)


def test_auto_batch_size_fits_budget():
    cube = EmbeddingCube(face=(6, 6), values_per_cell=4, embedding_dim=144, depth=5, steps=6)
    x, y = torch.randn(16, 144), torch.randn(16, 144)
    budget = 16 * 2**20
    bs = auto_batch_size(cube, x, y, budget_bytes=budget, log=lambda m: None)
    assert estimate_memory(cube.config, bs)['total'] <= budget < estimate_memory(cube.config, 2 * bs)['total']
    idx = torch.arange(bs) % 16
    assert training_step_peak(cube, x[idx], y[idx]) <= budget


def test_auto_batch_size_backs_off_on_oom():
    cube = EmbeddingCube(face=(6, 6), values_per_cell=4, embedding_dim=144, depth=5, steps=6)
    tried = []
    def step(b):
        tried.append(b)
        if b > 40: raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.00 GiB")
    bs = auto_batch_size(cube, torch.randn(4, 144), torch.randn(4, 144), budget_bytes=2**30, max_batch=300,
                         step_fn=step, log=lambda m: None)
    assert (bs, tried) == (37, [300, 150, 75, 37])
    with pytest.raises(MemoryBudgetError, match='even at a batch of 4'):
        auto_batch_size(cube, torch.randn(4, 144), torch.randn(4, 144), budget_bytes=2**30, max_batch=8, min_batch=4,
                        step_fn=lambda b: step(100), log=lambda m: None)


def test_halve_on_oom_continues_with_smaller_batch():
    lines = []
    def step(b):
        if b > 10: raise torch.OutOfMemoryError("CUDA out of memory")
        return b * 2
    assert halve_on_oom(step, 48, device='cpu', log=lines.append) == (12, 6)
    assert lines == ['out of memory at batch 48: continuing with batch 24',
                     'out of memory at batch 24: continuing with batch 12',
                     'out of memory at batch 12: continuing with batch 6']
    with pytest.raises(ValueError): halve_on_oom(lambda b: int('x'), 8, device='cpu')


@pytest.mark.serial   # timed: run alone, not beside another test worker
def test_et_bench_quick_cpu(tmp_path):
    "`et-bench --quick --cases cpu` in under 60 s, with the numbers the benchmark table claims."
    out = tmp_path / 'bench.json'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, '-c', 'import sys; from embedding_trainer.bench import bench_cli; '
                           'sys.exit(bench_cli())', '--quick', '--cases', 'cpu', '--device', 'cpu', '--out', str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    took = time.perf_counter() - t0
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert took < 60, took
    res = json.loads(out.read_text())
    plain, ckpt = res['rows']
    assert (plain['recompute_every'], ckpt['recompute_every']) == (0, 4)
    assert plain['cell_steps_per_s'] >= 0.8e6, plain          # the floor of the CPU case
    assert ckpt['bytes_per_cell_step'] <= 150, ckpt            # the goal for checkpointed memory
    for r in res['rows']: assert abs(r['prediction_error']) < 0.25, r
    assert '| cpu | 8x8x12 × 64, T=24, 16/32 | conv | fp32 |' in proc.stdout
