"""Checkpoints: exact resume in a new process, damage, malicious payloads, config mismatch, rotation, crashes."""
import io, os, subprocess, sys
from pathlib import Path
import pytest
import torch
import torch.nn.functional as F
from embedding_trainer.checkpoint import (CheckpointManager, _frame, latest, load_checkpoint, save_checkpoint,
                                          verify_checkpoint)
from embedding_trainer.cube import EmbeddingCube, ModelConfig
from embedding_trainer.errors import CheckpointError
from embedding_trainer.runtime import seed_everything

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
SMALL = dict(embedding_dim=32, face=(4, 4), values_per_cell=2, depth=3, steps=3, state_dim=8, hidden_dim=16,
             fire_rate=0.5)
N = 20   # steps of the straight run; the interrupted one stops at N // 2


def cosine_schedule(step):
    "Warm-up for 3 steps, then cosine decay over N steps (a LambdaLR factor)."
    import math
    return (step + 1) / 3 if step < 3 else 0.5 * (1 + math.cos(math.pi * min(step, N) / N))


def make_run(seed):
    "A cube, AdamW and a LambdaLR, all built from `seed`."
    seed_everything(seed)
    cube = EmbeddingCube(**SMALL)
    opt = torch.optim.AdamW(cube.parameters(), lr=1e-2, weight_decay=0.01)
    return cube, opt, torch.optim.lr_scheduler.LambdaLR(opt, cosine_schedule)


def train(cube, opt, sched, steps):
    "Minibatches drawn with the global RNG and fire_rate < 1: both need the RNG state to resume exactly."
    g = torch.Generator().manual_seed(123)
    x, y = torch.randn(64, 32, generator=g), torch.randn(64, 32, generator=g)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cube.train()
        for _ in range(steps):
            idx = torch.randint(0, 64, (16,))
            loss = (1 - F.cosine_similarity(cube(x[idx]), y[idx])).mean()
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    finally: torch.set_num_threads(threads)


def resume_in_this_process(ckpt, out):
    "Entry point of the new process: different seed and weights, then load, train the rest, save the weights."
    cube, opt, sched = make_run(seed=999)
    state = load_checkpoint(ckpt, cube, opt, sched, config=ModelConfig(**SMALL))
    train(cube, opt, sched, N - state['step'])
    torch.save(cube.state_dict(), out)


def run_script(*args):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, str(HERE), *map(str, args)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_exact_resume_in_new_process(tmp_path):
    cube, opt, sched = make_run(seed=0)
    train(cube, opt, sched, N)
    straight = cube.state_dict()

    cube, opt, sched = make_run(seed=0)
    train(cube, opt, sched, N // 2)
    ckpt = save_checkpoint(tmp_path / 'step_000010.pt', model=cube, optimizer=opt, scheduler=sched, step=N // 2,
                           config=ModelConfig(**SMALL))
    r = run_script('resume', ckpt, tmp_path / 'resumed.pt')
    assert r.returncode == 0, r.stderr
    resumed = torch.load(tmp_path / 'resumed.pt', weights_only=True)
    assert list(resumed) == list(straight)
    assert all(torch.equal(resumed[k], straight[k]) for k in straight)


def test_resume_without_rng_diverges(tmp_path):
    "The RNG state is what makes the resume exact (fire_rate and batches are random)."
    cube, opt, sched = make_run(seed=0)
    train(cube, opt, sched, N)
    straight = cube.state_dict()
    cube, opt, sched = make_run(seed=0)
    train(cube, opt, sched, N // 2)
    ckpt = save_checkpoint(tmp_path / 'c.pt', model=cube, optimizer=opt, scheduler=sched, step=N // 2)
    cube, opt, sched = make_run(seed=5)
    load_checkpoint(ckpt, cube, opt, sched, restore_rng=False)
    train(cube, opt, sched, N // 2)
    assert not all(torch.equal(cube.state_dict()[k], straight[k]) for k in straight)


def saved_pair(tmp_path):
    mgr = CheckpointManager(tmp_path / 'run')
    cube = EmbeddingCube(**SMALL)
    return mgr, mgr.save(1, model=cube), mgr.save(2, model=cube)


def test_truncated_checkpoint_falls_back(tmp_path):
    mgr, first, second = saved_pair(tmp_path)
    second.write_bytes(second.read_bytes()[:-50])
    with pytest.raises(CheckpointError, match=f'damaged.*last good one is {first}'):
        load_checkpoint(second)
    with pytest.warns(UserWarning, match='step_000002.pt'):
        assert latest(tmp_path / 'run') == first


def test_flipped_byte_is_caught(tmp_path):
    mgr, first, second = saved_pair(tmp_path)
    data = bytearray(second.read_bytes())
    data[len(data) // 2] ^= 0x01
    second.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match='checksum does not match'):
        verify_checkpoint(second)
    with pytest.warns(UserWarning):
        assert mgr.latest() == first


class Planted:
    "Unpickling this opens (creates) the marker file: code execution."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (open, (self.marker, 'w'))


def planted_file(path, marker):
    buf = io.BytesIO()
    torch.save({'model': {}, 'x': Planted(marker)}, buf)
    path.write_bytes(_frame(buf.getvalue(), step=0))   # a valid header and checksum for the planted payload
    return path


def test_malicious_payload_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    bad = planted_file(tmp_path / 'step_000001.pt', marker)
    verify_checkpoint(bad)                                    # the checksum is valid: it does not protect
    with pytest.raises(CheckpointError, match='not plain data'):
        load_checkpoint(bad, EmbeddingCube(**SMALL))
    assert not marker.exists()


def test_planted_payload_really_runs_code_when_unpickled(tmp_path):
    "The planted file is dangerous: an unsafe load creates its marker (so the test above means something)."
    marker = tmp_path / 'pwned_unsafe'
    bad = planted_file(tmp_path / 'x.pt', marker)
    payload = bad.read_bytes().split(b'\n', 2)[2]
    torch.load(io.BytesIO(payload), weights_only=False)
    assert marker.exists()


def test_config_mismatch_names_keys(tmp_path):
    ckpt = save_checkpoint(tmp_path / 'c.pt', model=EmbeddingCube(**SMALL), config=ModelConfig(**SMALL))
    other = {'model': dict(SMALL, face=[4, 5], steps=4)}
    with pytest.raises(CheckpointError) as e:
        load_checkpoint(ckpt, config=other)
    assert 'model.face: checkpoint [4, 4] vs config [4, 5]' in str(e.value)
    assert 'model.steps: checkpoint 3 vs config 4' in str(e.value)
    load_checkpoint(ckpt, EmbeddingCube(**SMALL), config=ModelConfig(**SMALL))   # the same settings load
    old = dict(SMALL, face=[4, 4, SMALL['values_per_cell']], checkpoint_every=0)   # stored by an earlier version
    del old['values_per_cell']
    ckpt = save_checkpoint(tmp_path / 'old.pt', model=EmbeddingCube(**SMALL), config={'model': old})
    load_checkpoint(ckpt, EmbeddingCube(**SMALL), config=ModelConfig(**SMALL))   # old names: the same settings


def test_keep_last_and_best(tmp_path):
    mgr = CheckpointManager(tmp_path, keep_last=2)
    cube = EmbeddingCube(**SMALL)
    for step, score in [(10, 0.5), (20, 0.9), (30, 0.7), (40, None), (50, 0.8)]:
        mgr.save(step, score, model=cube, history={'score': score})
    assert [p.name for p in mgr.checkpoints()] == ['step_000040.pt', 'step_000050.pt']
    best = load_checkpoint(mgr.best(), restore_rng=False)
    assert (best['step'], best['best_score'], mgr.best_score()) == (20, 0.9, 0.9)
    assert load_checkpoint(mgr.latest(), restore_rng=False)['best_score'] == 0.9
    low = CheckpointManager(tmp_path / 'loss', keep_last=1)
    for step, loss in [(1, 0.5), (2, 0.3), (3, 0.4)]: low.save(step, loss, higher_is_better=False, model=cube)
    assert load_checkpoint(low.best(), restore_rng=False)['step'] == 2
    assert [p.name for p in low.checkpoints()] == ['step_000003.pt']


@pytest.mark.parametrize('fail', ['replace', 'fsync'])
def test_failed_write_keeps_old_checkpoint(tmp_path, monkeypatch, fail):
    cube = EmbeddingCube(**SMALL)
    path = save_checkpoint(tmp_path / 'step_000001.pt', model=cube, step=1)
    def boom(*a, **k): raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, fail, boom)
    with pytest.raises(CheckpointError, match='could not write'):
        save_checkpoint(path, model=EmbeddingCube(**SMALL), step=2)
    monkeypatch.undo()
    assert load_checkpoint(path, restore_rng=False)['step'] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ['step_000001.pt']   # no temporary file left
    assert latest(tmp_path) == path


def test_crash_mid_write_in_new_process(tmp_path):
    "A process killed between writing and renaming leaves a hidden temp file that is never taken for a checkpoint."
    path = save_checkpoint(tmp_path / 'step_000001.pt', model=EmbeddingCube(**SMALL), step=1)
    r = run_script('crash', tmp_path)
    assert r.returncode == 3, r.stderr
    stray = [p for p in tmp_path.iterdir() if p.name.endswith('.tmp')]
    assert len(stray) == 1 and stray[0].name.startswith('.step_000002.pt.')
    assert latest(tmp_path) == path
    assert load_checkpoint(tmp_path, restore_rng=False)['step'] == 1


def crash_while_saving(folder):
    "Entry point of the crashing process: dies (os._exit) where os.replace would make the new file visible."
    os.replace = lambda *a, **k: os._exit(3)
    CheckpointManager(folder).save(2, model=EmbeddingCube(**SMALL))


if __name__ == '__main__':
    if sys.argv[1] == 'resume': resume_in_this_process(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'crash': crash_while_saving(sys.argv[2])


FIXTURE = HERE.parent / 'fixtures' / 'run_before_relayer'


def test_a_run_folder_written_before_the_relayering_loads_and_resumes(tmp_path):
    """`tests/fixtures/run_before_relayer`: steps 5 and 10 of a tiny run made by the package before its re-layering
    (the rule's hidden layer was then called `perceive`; early stopping's count sat in the checkpoint's `extra`).
    Today's code loads both, resumes from step 5 and reaches step 10 with the weights the old code reached."""
    from embedding_trainer.config import load_config
    from embedding_trainer.prepare import prepare_data
    from embedding_trainer.adapters import build_for
    from embedding_trainer.trainer import Trainer
    old = load_checkpoint(FIXTURE / 'step_000005.pt', restore_rng=False)
    assert any(k.startswith('lattice.rule.perceive.') for k in old['model'])     # the old names really are old
    assert 'bad_evals' in old['extra'] and 'EarlyStopping' not in old['extra']['callbacks']
    run = tmp_path / 'run'; run.mkdir()
    (run / 'step_000005.pt').write_bytes((FIXTURE / 'step_000005.pt').read_bytes())
    cfg = load_config(FIXTURE / 'config.yaml', [f'checkpoint.dir={run}', 'checkpoint.resume=true'])
    train, val, _ = prepare_data(cfg)
    tr = Trainer(build_for(cfg, train), train, val, cfg, progress=False)
    tr.fit()
    assert (tr.step, [e['step'] for e in tr.history['eval']]) == (10, [5, 10])
    assert tr.early_stopping.bad_evals == (0 if tr.best_step == 10 else 1)
    then, now, before = EmbeddingCube(cfg.model), EmbeddingCube(cfg.model), EmbeddingCube(cfg.model)
    load_checkpoint(FIXTURE / 'step_000010.pt', model=then, restore_rng=False)   # old names, mapped on load
    load_checkpoint(run / 'step_000010.pt', model=now, restore_rng=False)
    load_checkpoint(FIXTURE / 'step_000005.pt', model=before, restore_rng=False)
    # The fixture was computed on another machine: float32 sums there may run in another order (the CPU's SIMD
    # width picks the reduction order), so equal code gives weights a few ULPs apart (measured up to 1.5e-8 on
    # values of size <= 0.5, whose ULP is 6e-8). Bit-equality holds only within one machine (test_durable and
    # the resume test above check that). The tolerance, 1e-6, is ~200x below how far these five steps move every
    # weight (~5e-3), so a resume that lost the optimizer state, the step count or the data order still fails.
    for (name, a), (_, b), (_, c) in zip(then.state_dict().items(), now.state_dict().items(),
                                         before.state_dict().items()):
        if not a.is_floating_point():           # integer buffers (the reshaper's layout) are exact everywhere
            assert torch.equal(a, b), name; continue
        assert (a - b).abs().max() <= 1e-6, (name, (a - b).abs().max())
        assert (a - c).abs().max() >= 1e-3, (name, (a - c).abs().max())   # every weight really moved
    assert 'lattice.rule.hidden.weight' in now.state_dict()
