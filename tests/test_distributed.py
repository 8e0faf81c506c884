"""`Trainer.fit()` under `torchrun` with the gloo backend on the CPU: two processes train what one process with
the doubled batch trains, and a stopped two-process run resumes to the same parameters."""
import os, subprocess, sys
from pathlib import Path
import pytest, torch
from helpers import free_port

ROOT = Path(__file__).resolve().parent
WORKER = ROOT / 'dist_worker.py'
TORCHRUN = Path(sys.executable).with_name('torchrun')

def _env():
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0', PYTHONFAULTHANDLER='1')   # a crash prints where
    for k in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'): env.pop(k, None)
    return env

def _run(args, nproc):
    cmd = [sys.executable, str(WORKER), *map(str, args)] if nproc == 1 else \
          [str(TORCHRUN), f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1', f'--master_port={free_port()}',
           str(WORKER), *map(str, args)]
    r = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return torch.load(args[0])

def _max_diff(a, b): return max((a[k] - b[k]).abs().max().item() for k in a)

@pytest.mark.skipif(not TORCHRUN.exists(), reason='torchrun is not installed next to this python')
def test_two_processes_equal_one_with_double_batch(tmp_path):
    one = _run([tmp_path / 'one.pt', 16, 12, tmp_path / 'ck1'], nproc=1)
    two = _run([tmp_path / 'two.pt', 8, 12, tmp_path / 'ck2'], nproc=2)
    assert (one['world'], two['world']) == (1, 2)
    assert one['step'] == two['step'] == 12
    diff = _max_diff(one['params'], two['params'])
    print(f"2 processes x batch 8 vs 1 process x batch 16, 12 steps: max parameter difference {diff:.2e}")
    assert diff < 1e-5
    # the logged loss is the mean over both processes, i.e. the loss of the whole double batch
    assert max(abs(a - b) for a, b in zip(one['loss'], two['loss'])) < 1e-5
    # and it learned something: the loss fell
    assert one['loss'][-1] < one['loss'][0]

@pytest.mark.skipif(not TORCHRUN.exists(), reason='torchrun is not installed next to this python')
def test_two_processes_resume(tmp_path):
    full = _run([tmp_path / 'full.pt', 8, 12, tmp_path / 'ckf'], nproc=2)
    part = _run([tmp_path / 'part.pt', 8, 12, tmp_path / 'ckr', 'fresh', 6], nproc=2)
    assert part['step'] == 6
    done = _run([tmp_path / 'done.pt', 8, 12, tmp_path / 'ckr', 'resume'], nproc=2)
    assert done['step'] == 12
    diff = _max_diff(full['params'], done['params'])
    print(f"2 processes stopped at step 6 and resumed to 12 vs uninterrupted: max parameter difference {diff:.2e}")
    assert diff == 0.0

@pytest.mark.skipif(not TORCHRUN.exists(), reason='torchrun is not installed next to this python')
def test_et_train_under_torchrun(tmp_path):
    "`et-train` takes the same config under torchrun: one report, one set of result files, written by process 0."
    et_train = Path(sys.executable).with_name('et-train')
    r = subprocess.run([str(TORCHRUN), '--nproc_per_node=2', '--master_addr=127.0.0.1', f'--master_port={free_port()}',
                        str(et_train), '--config', 'tiny', '--set', 'train.batch_size=16', '--out', str(tmp_path / 'run'),
                        '--quiet'], env=_env(), capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.count('trained 10 steps') == 1, r.stdout     # one report, from process 0
    import json
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())
    assert m['steps'] == 10 and m['test'][0]['name'] == 'cube'
    assert {'best.pt', 'curves.png', 'history.json'} <= {p.name for p in (tmp_path / 'run').iterdir()}
