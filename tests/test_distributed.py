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

def _run(args, nproc, **env):
    cmd = [sys.executable, str(WORKER), *map(str, args)] if nproc == 1 else \
          [str(TORCHRUN), f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1', f'--master_port={free_port()}',
           str(WORKER), *map(str, args)]
    r = subprocess.run(cmd, env={**_env(), **env}, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return torch.load(args[0])

def _run_two_hosts(args):
    "Two `torchrun --nnodes=2` launchers, one process each, meeting by c10d rendezvous on 127.0.0.1 (as two hosts do)."
    port = free_port()
    cmd = [str(TORCHRUN), '--nnodes=2', '--nproc_per_node=1', '--rdzv-backend=c10d',
           f'--rdzv-endpoint=127.0.0.1:{port}',
           f'--rdzv-id=et-test-{port}', str(WORKER), *map(str, args)]
    procs = [subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, outs): assert p.returncode == 0, out[-3000:] + err[-3000:]
    return torch.load(args[0])

def _max_diff(a, b): return max((a[k] - b[k]).abs().max().item() for k in a)

@pytest.fixture(scope='module')
def one_process(tmp_path_factory):
    "One process, batch 16, 12 steps: what two processes with batch 8 must reproduce."
    tmp = tmp_path_factory.mktemp('one')
    return _run([tmp / 'one.pt', 16, 12, tmp / 'ck1'], nproc=1)

@pytest.mark.skipif(not TORCHRUN.exists(), reason='torchrun is not installed next to this python')
def test_two_processes_equal_one_with_double_batch(tmp_path, one_process):
    "Also: every all_reduce/broadcast of the two processes gets a tensor on the group's device (NCCL refuses CPU ones)."
    one = one_process
    two = _run([tmp_path / 'two.pt', 8, 12, tmp_path / 'ck2'], nproc=2, ET_CHECK_COLLECTIVES='1')
    assert two['checked_collectives'] >= 12 * 2    # the loss mean and the stop check, each step
    assert (one['world'], two['world']) == (1, 2)
    assert one['step'] == two['step'] == 12
    diff = _max_diff(one['params'], two['params'])
    print(f"2 processes x batch 8 vs 1 process x batch 16, 12 steps: max parameter difference {diff:.2e}")
    assert diff < 1e-5
    # the logged loss is the mean over both processes, i.e. the loss of the whole double batch
    assert max(abs(a - b) for a, b in zip(one['loss'], two['loss'])) < 1e-5
    # and it learned something: the loss fell
    assert one['loss'][-1] < one['loss'][0]

def test_no_module_calls_a_collective_directly():
    "Collectives go through `distributed` (which picks the device); a direct `dist.all_reduce(...)` elsewhere fails."
    import ast, embedding_trainer
    names = {'all_reduce', 'broadcast', 'all_gather', 'reduce', 'reduce_scatter', 'all_to_all', 'gather', 'scatter',
             'barrier', 'all_gather_object', 'broadcast_object_list', 'all_gather_into_tensor', 'reduce_scatter_tensor'}
    found = []
    for path in Path(embedding_trainer.__file__).parent.glob('*.py'):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef): continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == 'dist'):
                    found.append((path.name, fn.name, node.func.attr))
    assert sorted(found) == [('distributed.py', '_all_reduce', 'all_reduce'), ('distributed.py', 'barrier', 'barrier'),
                             ('distributed.py', 'barrier', 'barrier')], found

@pytest.mark.skipif(not TORCHRUN.exists(), reason='torchrun is not installed next to this python')
def test_two_hosts_by_rendezvous_train_and_resume(tmp_path, one_process):
    "The multi-host path: two launchers (`--nnodes=2`, c10d rendezvous) train as one process with twice the batch."
    one = one_process
    part = _run_two_hosts([tmp_path / 'part.pt', 8, 12, tmp_path / 'ck2', 'fresh', 6])
    assert (part['world'], part['step']) == (2, 6)
    done = _run_two_hosts([tmp_path / 'done.pt', 8, 12, tmp_path / 'ck2', 'resume'])
    assert done['step'] == 12
    diff = _max_diff(one['params'], done['params'])
    print(f"two launchers, stopped at 6 and resumed to 12, vs one process with batch 16: max difference {diff:.2e}")
    assert diff < 1e-5

@pytest.mark.skipif(torch.cuda.device_count() < 2 or not TORCHRUN.exists(), reason='needs 2 CUDA GPUs and torchrun')
def test_two_gpus_over_nccl_equal_one_gpu_with_double_batch(tmp_path):
    one = _run([tmp_path / 'one.pt', 16, 12, tmp_path / 'ck1'], nproc=1, ET_TEST_DEVICE='cuda')
    two = _run([tmp_path / 'two.pt', 8, 12, tmp_path / 'ck2'], nproc=2, ET_TEST_DEVICE='cuda', ET_CHECK_COLLECTIVES='1')
    assert two['device'].startswith('cuda') and two['world'] == 2 and two['checked_collectives'] >= 24
    diff = _max_diff(one['params'], two['params'])
    print(f"NCCL, 2 GPUs x batch 8 vs 1 GPU x batch 16, 12 steps: max parameter difference {diff:.2e}")
    assert diff < 1e-4

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
                        str(et_train), '--config', 'tiny', '--set', 'train.batch_size=16', '--out',
                            str(tmp_path / 'run'),
                        '--quiet'], env=_env(), capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert r.stdout.count('trained 10 steps') == 1, r.stdout     # one report, from process 0
    import json
    m = json.loads((tmp_path / 'run' / 'metrics.json').read_text())
    assert m['steps'] == 10 and m['test'][0]['name'] == 'cube'
    assert {'best.pt', 'curves.png', 'history.json'} <= {p.name for p in (tmp_path / 'run').iterdir()}
